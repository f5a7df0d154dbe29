"""Drive lambdalog's X-Ray API with boto3, as a script would.

Usage: boto3_xray.py ENDPOINT DAEMON_ENDPOINT REGION
DAEMON_ENDPOINT is the X-Ray daemon's TCP side (http://host:port), where
X-Ray SDKs ask for sampling rules. Exits non-zero with a message on the
first difference from what AWS does.
"""
import json
import sys
import time

import boto3
import botocore.exceptions

endpoint, daemon, region = sys.argv[1], sys.argv[2], sys.argv[3]
xray = boto3.client("xray", endpoint_url=endpoint, region_name=region)

now = time.time()
epoch = "%08x" % int(now)


def trace_id(n):
    return "1-%s-%024x" % (epoch, 0xB0B0000 + n)


docs = []
for n in range(130):
    start = now - 60 + n / 10
    seg = {"trace_id": trace_id(n), "id": "%016x" % (n + 1), "name": "orders", "start_time": start, "end_time": start + 0.2,
           "http": {"request": {"method": "POST", "url": "https://api.example.com/orders/%d" % n}, "response": {"status": 500 if n % 13 == 0 else 201}},
           "fault": n % 13 == 0, "annotations": {"n": n, "vip": n % 2 == 0}, "user": "user%d" % (n % 3),
           "subsegments": [{"id": "%016x" % (1000 + n), "name": "DynamoDB", "namespace": "aws", "start_time": start + 0.01, "end_time": start + 0.1,
                            "aws": {"operation": "PutItem", "table_name": "orders"}}]}
    docs.append(json.dumps(seg))
out = xray.put_trace_segments(TraceSegmentDocuments=docs + ['{"id":"zz"}'])
bad = out["UnprocessedTraceSegments"]
if len(bad) != 1 or bad[0]["ErrorCode"] != "InvalidParam":
    sys.exit("unprocessed: %r" % bad)

# The paginator follows NextToken to the end.
pages = xray.get_paginator("get_trace_summaries").paginate(StartTime=now - 120, EndTime=now + 1)
ids = [s["Id"] for page in pages for s in page["TraceSummaries"]]
if sorted(ids) != sorted(trace_id(n) for n in range(130)):
    sys.exit("paginated summaries: %d ids" % len(ids))

found = xray.get_trace_summaries(StartTime=now - 120, EndTime=now + 1,
                                 FilterExpression='fault AND annotation.vip = true AND http.url BEGINSWITH "https://api.example.com/orders/"')
got = sorted(s["Annotations"]["n"][0]["AnnotationValue"]["NumberValue"] for s in found["TraceSummaries"])
if got != [n for n in range(130) if n % 13 == 0 and n % 2 == 0]:
    sys.exit("filtered: %r" % got)
s = found["TraceSummaries"][0]
if s["Http"]["HttpStatus"] != 500 or s["Http"]["HttpMethod"] != "POST" or not s["HasFault"] or abs(s["Duration"] - 0.2) > 1e-3:
    sys.exit("summary: %r" % s)
if not any(u["UserName"] == "user0" for u in xray.get_trace_summaries(StartTime=now - 120, EndTime=now + 1, FilterExpression='user = "user0"')["TraceSummaries"][0]["Users"]):
    sys.exit("users")

try:
    xray.get_trace_summaries(StartTime=now - 120, EndTime=now, FilterExpression='rootcause.fault.service { name = "orders" }')
    sys.exit("an unsupported filter expression was accepted")
except botocore.exceptions.ClientError as e:
    err = e.response["Error"]
    if err["Code"] != "InvalidRequestException" or "rootcause" not in err["Message"] or e.response["ResponseMetadata"]["HTTPStatusCode"] != 400:
        sys.exit("unsupported filter: %r" % e.response)

traces = xray.batch_get_traces(TraceIds=[trace_id(0), trace_id(1), "1-00000000-000000000000000000000000"])
if len(traces["Traces"]) != 2 or traces["UnprocessedTraceIds"] != ["1-00000000-000000000000000000000000"]:
    sys.exit("batch_get_traces: %r" % traces)
names = sorted(json.loads(seg["Document"]).get("origin", "") for seg in traces["Traces"][0]["Segments"])
if names != ["", "AWS::DynamoDB::Table"]:
    sys.exit("segments of a trace: %r (want the segment and the inferred DynamoDB table)" % names)

graph = xray.get_service_graph(StartTime=now - 120, EndTime=now + 1)
services = {(svc["Name"], svc.get("Type")): svc for svc in graph["Services"]}
orders = services.get(("orders", None))
table = services.get(("DynamoDB", "AWS::DynamoDB::Table"))
if orders is None or table is None or ("orders", "client") not in services:
    sys.exit("services: %r" % list(services))
if orders["SummaryStatistics"]["TotalCount"] != 130 or orders["SummaryStatistics"]["FaultStatistics"]["TotalCount"] != 10:
    sys.exit("orders statistics: %r" % orders["SummaryStatistics"])
if [e["ReferenceId"] for e in orders["Edges"]] != [table["ReferenceId"]]:
    sys.exit("orders edges: %r" % orders["Edges"])
if len(xray.get_trace_graph(TraceIds=[trace_id(3)])["Services"]) != 3:
    sys.exit("trace graph")

# The daemon's TCP side answers the sampling requests of X-Ray SDKs.
sampling = boto3.client("xray", endpoint_url=daemon, region_name=region)
rules = sampling.get_sampling_rules()["SamplingRuleRecords"]
if [r["SamplingRule"]["RuleName"] for r in rules] != ["Default"] or rules[0]["SamplingRule"]["FixedRate"] != 0.05:
    sys.exit("sampling rules: %r" % rules)
targets = sampling.get_sampling_targets(SamplingStatisticsDocuments=[
    {"RuleName": "Default", "ClientID": "0123456789abcdef01234567", "Timestamp": now, "RequestCount": 5, "SampledCount": 2, "BorrowCount": 0}])
if targets["SamplingTargetDocuments"][0]["ReservoirQuota"] != 1:
    sys.exit("sampling targets: %r" % targets)
print("ok")

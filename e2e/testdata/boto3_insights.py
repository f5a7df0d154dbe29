"""Drive lambdalog's Logs Insights API with boto3, as a script would.

Usage: boto3_insights.py ENDPOINT REGION
Exits non-zero with a message on the first difference from what AWS does.
"""
import sys
import time

import boto3
import botocore.exceptions

endpoint, region = sys.argv[1], sys.argv[2]
logs = boto3.client("logs", endpoint_url=endpoint, region_name=region)

now = int(time.time())
group = "/aws/lambda/boto3-insights"
logs.create_log_group(logGroupName=group)
logs.create_log_stream(logGroupName=group, logStreamName="s")
events = []
for i in range(300):
    level = "ERROR" if i % 10 == 0 else "INFO"
    events.append({"timestamp": (now - 120) * 1000 + i,
                   "message": '{"level":"%s","message":"call %d","latency_ms":%d}' % (level, i, i)})
logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=events)


def run(query, **kw):
    qid = logs.start_query(logGroupName=group, startTime=now - 600, endTime=now, queryString=query, **kw)["queryId"]
    for _ in range(600):
        out = logs.get_query_results(queryId=qid)
        if out["status"] == "Complete":
            return qid, out
        if out["status"] not in ("Scheduled", "Running"):
            sys.exit("query %r ended %s" % (query, out["status"]))
        time.sleep(0.05)
    sys.exit("query %r did not finish" % query)


_, out = run('filter level = "ERROR" | stats count(*) as errors, max(latency_ms) as worst')
row = {f["field"]: f["value"] for f in out["results"][0]}
if row != {"errors": "30", "worst": "290"}:
    sys.exit("stats row %r" % row)
stats = out["statistics"]
if stats["recordsScanned"] != 300.0 or stats["recordsMatched"] != 30.0:
    sys.exit("statistics %r" % stats)

qid, out = run("fields @timestamp, message | sort @timestamp desc", limit=120)
if len(out["results"]) != 120 or out["results"][0][-1]["field"] != "@ptr":
    sys.exit("%d rows, first %r" % (len(out["results"]), out["results"][:1]))
if {f["field"]: f["value"] for f in out["results"][0]}["message"] != "call 299":
    sys.exit("newest first: %r" % out["results"][0])
record = logs.get_log_record(logRecordPointer=out["results"][0][-1]["value"])["logRecord"]
if record["latency_ms"] != "299" or record["@logStream"] != "s":
    sys.exit("get_log_record %r" % record)

pages = [q["queryId"] for page in logs.get_paginator("describe_queries").paginate(PaginationConfig={"PageSize": 1}) for q in page["queries"]]
if len(pages) != 2 or qid not in pages:
    sys.exit("describe_queries paginated: %r" % pages)

try:
    logs.start_query(logGroupName=group, startTime=now - 600, endTime=now, queryString="stats count(*) by")
    sys.exit("a malformed query was accepted")
except logs.exceptions.MalformedQueryException as e:
    loc = e.response["queryCompileError"]["location"]
    if loc["startCharOffset"] < 0 or not e.response["queryCompileError"]["message"]:
        sys.exit("queryCompileError %r" % e.response["queryCompileError"])

try:
    logs.get_query_results(queryId="00000000-0000-4000-8000-000000000000")
    sys.exit("an unknown query id was accepted")
except logs.exceptions.ResourceNotFoundException:
    pass

qd = logs.put_query_definition(name="saved/errors", queryString='filter level = "ERROR"', logGroupNames=[group])["queryDefinitionId"]
defs = [d for page in logs.get_paginator("describe_query_definitions").paginate() for d in page["queryDefinitions"]] if logs.can_paginate("describe_query_definitions") else logs.describe_query_definitions()["queryDefinitions"]
if [d["queryDefinitionId"] for d in defs] != [qd] or defs[0]["logGroupNames"] != [group]:
    sys.exit("query definitions %r" % defs)
logs.delete_query_definition(queryDefinitionId=qd)
print("ok")

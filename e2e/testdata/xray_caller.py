"""A Lambda function on a custom runtime, in Python, traced with the AWS
X-Ray SDK for Python: it invokes the function its event names through the
Lambda Invoke API, with boto3 patched so that the call is a subsegment and
carries the trace header. The e2e test runs it under lambdalog dev; it
prepends the path of the Python interpreter as the #! line.

Event: {"endpoint": Invoke API URL, "function": name, "payload": event}
"""
import json
import os
import urllib.request

import boto3
from aws_xray_sdk.core import patch, xray_recorder

patch(["botocore"])
xray_recorder.configure(context_missing="LOG_ERROR", streaming_threshold=0)

base = "http://%s/2018-06-01/runtime/invocation/" % os.environ["AWS_LAMBDA_RUNTIME_API"]


def handle(event):
    with xray_recorder.in_subsegment("## handler") as sub:
        sub.put_annotation("Target", event["function"])
        client = boto3.client("lambda", endpoint_url=event["endpoint"])
        out = client.invoke(FunctionName=event["function"], Payload=json.dumps(event["payload"]).encode())
        return json.loads(out["Payload"].read())


def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req).read()


while True:
    with urllib.request.urlopen(base + "next") as r:
        request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
        os.environ["_X_AMZN_TRACE_ID"] = r.headers["Lambda-Runtime-Trace-Id"]
        event = json.loads(r.read())
    try:
        post(request_id + "/response", handle(event))
    except Exception as e:  # the runtime reports the error, as Lambda's do
        post(request_id + "/error", {"errorType": type(e).__name__, "errorMessage": str(e)})

"""An application instrumented with the AWS X-Ray SDK for Python, outside
Lambda: one segment with two subsegments, each sent over UDP on its own
(streaming_threshold=0, as Powertools configures the SDK), to the daemon at
AWS_XRAY_DAEMON_ADDRESS. Prints the trace id.
"""
import time

from aws_xray_sdk.core import xray_recorder

xray_recorder.configure(service="py-app", sampling=False, context_missing="LOG_ERROR", streaming_threshold=0)

segment = xray_recorder.begin_segment("py-app")
segment.put_annotation("order", 42)
segment.put_http_meta("url", "http://localhost/orders/42")
segment.put_http_meta("method", "GET")
with xray_recorder.in_subsegment("load") as sub:
    sub.put_annotation("rows", 3)
    with xray_recorder.in_subsegment("parse"):
        time.sleep(0.01)
try:
    with xray_recorder.in_subsegment("save"):
        raise ValueError("disk on fire")
except ValueError:
    pass
segment.put_http_meta("status", 200)
xray_recorder.end_segment()
print(segment.trace_id)

#!/usr/bin/env python3
"""Drive a CloudWatch Logs endpoint with boto3 the way a developer would.

Usage: boto3_e2e.py ENDPOINT_URL REGION

Every check asserts what a user of boto3 relies on: paginators that really
span several pages, GetLogEvents token following in both directions, events
interleaved across streams by FilterLogEvents, and the botocore error codes
raised for bad input. It prints one line per check and exits non-zero on the
first failure, with the reason.
"""

import sys
import time
import uuid

import boto3
import botocore.config
from botocore.exceptions import ClientError


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_error(code, fn, **kwargs):
    """Call fn(**kwargs) and assert that it fails with the botocore error code."""
    try:
        fn(**kwargs)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        msg = e.response["Error"].get("Message", "")
        check(got == code, f"{fn.__name__}: want {code}, got {got}: {msg}")
        check(msg != "", f"{fn.__name__}: {code} without a message")
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        check(status == 400, f"{fn.__name__}: {code} with HTTP {status}, want 400")
        return msg
    raise AssertionError(f"{fn.__name__}({kwargs}) succeeded, want {code}")


def put_all(logs, group, stream, events):
    """PutLogEvents in batches of at most 10,000 events."""
    for i in range(0, len(events), 10000):
        resp = logs.put_log_events(
            logGroupName=group, logStreamName=stream, logEvents=events[i : i + 10000]
        )
        check("rejectedLogEventsInfo" not in resp, f"rejected: {resp.get('rejectedLogEventsInfo')}")


def check_describe_log_groups(logs, run):
    prefix = f"/e2e/boto3/{run}/groups/"
    names = [f"{prefix}g-{i:03d}" for i in range(60)]
    for n in names:
        logs.create_log_group(logGroupName=n)
    pages = list(
        logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix=prefix, PaginationConfig={"PageSize": 7}
        )
    )
    got = [g["logGroupName"] for p in pages for g in p["logGroups"]]
    check(got == names, f"DescribeLogGroups paginator: got {len(got)} groups, want the 60 in name order")
    check(len(pages) == 9, f"DescribeLogGroups with PageSize 7 over 60 groups: {len(pages)} pages, want 9")
    check(all(len(p["logGroups"]) <= 7 for p in pages), "DescribeLogGroups page larger than limit")
    # Default page size is 50.
    pages = list(logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix))
    check([len(p["logGroups"]) for p in pages] == [50, 10], "DescribeLogGroups default limit is not 50")
    g = pages[0]["logGroups"][0]
    check(g["arn"].endswith(f":log-group:{names[0]}:*"), f"group arn {g['arn']}")
    check(g["logGroupArn"].endswith(f":log-group:{names[0]}"), f"logGroupArn {g.get('logGroupArn')}")
    check(isinstance(g["creationTime"], int), "creationTime is not an integer")
    print("ok describe_log_groups paginator: 60 groups, 9 pages of <=7, default limit 50")


def check_describe_log_streams(logs, group):
    names = [f"s-{i:03d}" for i in range(75)]
    for n in names:
        logs.create_log_stream(logGroupName=group, logStreamName=n)
    pages = list(
        logs.get_paginator("describe_log_streams").paginate(
            logGroupName=group, logStreamNamePrefix="s-", PaginationConfig={"PageSize": 20}
        )
    )
    got = [s["logStreamName"] for p in pages for s in p["logStreams"]]
    check(got == names, f"DescribeLogStreams paginator: got {len(got)} streams, want the 75 in name order")
    check(len(pages) == 4, f"DescribeLogStreams PageSize 20 over 75 streams: {len(pages)} pages, want 4")
    pages = list(
        logs.get_paginator("describe_log_streams").paginate(
            logGroupName=group, logStreamNamePrefix="s-", descending=True
        )
    )
    got = [s["logStreamName"] for p in pages for s in p["logStreams"]]
    check(got == names[::-1], "DescribeLogStreams descending is not reverse name order")
    check([len(p["logStreams"]) for p in pages] == [50, 25], "DescribeLogStreams default limit is not 50")
    empty = pages[0]["logStreams"][0]
    check("firstEventTimestamp" not in empty, "empty stream has a firstEventTimestamp")
    print("ok describe_log_streams paginator: 75 streams, 4 pages of <=20, descending, default limit 50")


def check_get_log_events(logs, group, now):
    stream = "big"
    n = 25000
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    base = now - 3600 * 1000
    put_all(logs, group, stream, [{"timestamp": base + i, "message": f"event {i:06d}"} for i in range(n)])

    # Forward from the head, following nextForwardToken until it repeats.
    seen, pages, token = [], 0, None
    while True:
        kw = {"logGroupName": group, "logStreamName": stream, "startFromHead": True}
        if token:
            kw["nextToken"] = token
        resp = logs.get_log_events(**kw)
        pages += 1
        seen += [e["message"] for e in resp["events"]]
        check(resp["nextForwardToken"] and resp["nextBackwardToken"], "GetLogEvents token is empty")
        if resp["nextForwardToken"] == token:
            check(resp["events"] == [], "GetLogEvents returned events with the end token")
            break
        token = resp["nextForwardToken"]
        check(pages < 100, "GetLogEvents forward never returned the same token")
    check(seen == [f"event {i:06d}" for i in range(n)], f"GetLogEvents forward: got {len(seen)} events in wrong order or count")
    check(pages >= 4, f"GetLogEvents forward took {pages} pages for {n} events; default limit is 10,000")

    # Backward from the tail (the default), following nextBackwardToken.
    chunks, pages, token = [], 0, None
    while True:
        kw = {"logGroupName": group, "logStreamName": stream, "limit": 4000}
        if token:
            kw["nextToken"] = token
        resp = logs.get_log_events(**kw)
        pages += 1
        check(len(resp["events"]) <= 4000, "GetLogEvents page larger than limit")
        chunks.append([e["message"] for e in resp["events"]])
        if resp["nextBackwardToken"] == token:
            break
        token = resp["nextBackwardToken"]
        check(pages < 100, "GetLogEvents backward never returned the same token")
    seen = [m for c in reversed(chunks) for m in c]
    check(seen == [f"event {i:06d}" for i in range(n)], f"GetLogEvents backward: got {len(seen)} events")
    check(chunks[0][-1] == f"event {n-1:06d}", "GetLogEvents without startFromHead does not start at the newest events")

    # Time range: [start, end).
    resp = logs.get_log_events(
        logGroupName=group, logStreamName=stream, startFromHead=True,
        startTime=base + 100, endTime=base + 200,
    )
    got = [e["timestamp"] for e in resp["events"]]
    check(got == list(range(base + 100, base + 200)), "GetLogEvents startTime/endTime is not [start, end)")
    print(f"ok get_log_events: {n} events forward and backward by tokens, time range")


def check_filter_log_events(logs, group, now):
    base = now - 1800 * 1000
    streams = ["f-a", "f-b", "f-c"]
    per = 1000
    for k, s in enumerate(streams):
        logs.create_log_stream(logGroupName=group, logStreamName=s)
        ev = []
        for i in range(per):
            msg = f"{s} {i:04d}" + (" needle" if i % 10 == 0 else " hay")
            ev.append({"timestamp": base + 3 * i + k, "message": msg})
        put_all(logs, group, s, ev)

    pages = list(
        logs.get_paginator("filter_log_events").paginate(
            logGroupName=group, logStreamNamePrefix="f-", PaginationConfig={"PageSize": 250}
        )
    )
    events = [e for p in pages for e in p["events"]]
    check(len(events) == 3 * per, f"FilterLogEvents paginator: {len(events)} events, want {3 * per}")
    check(len(pages) >= 12, f"FilterLogEvents PageSize 250 over 3000 events: only {len(pages)} pages")
    ts = [e["timestamp"] for e in events]
    check(ts == sorted(ts), "FilterLogEvents events are not in timestamp order across streams")
    check(ts == [base + j for j in range(3 * per)], "FilterLogEvents did not interleave the three streams")
    check(len({e["eventId"] for e in events}) == len(events), "FilterLogEvents eventIds are not unique")
    for e in events[:5]:
        for key in ("logStreamName", "timestamp", "message", "ingestionTime", "eventId"):
            check(key in e, f"FilterLogEvents event has no {key}: {e}")

    matched = [
        e["message"]
        for p in logs.get_paginator("filter_log_events").paginate(
            logGroupName=group, logStreamNames=["f-a", "f-c"], filterPattern="needle",
            PaginationConfig={"PageSize": 30},
        )
        for e in p["events"]
    ]
    check(len(matched) == 2 * per // 10, f"FilterLogEvents 'needle' over 2 streams: {len(matched)} matches")
    check(all(m.endswith("needle") and not m.startswith("f-b") for m in matched), "FilterLogEvents matched wrong events")

    resp = logs.filter_log_events(
        logGroupName=group, logStreamNamePrefix="f-", startTime=base + 30, endTime=base + 60
    )
    got = [e["timestamp"] for e in resp["events"]]
    check(got == list(range(base + 30, base + 61)), f"FilterLogEvents time range: {got[:3]}..{got[-3:]}")
    print("ok filter_log_events paginator: 3 streams interleaved, 3000 events, term filter, time range")


def check_errors(logs, group, now):
    missing = group + "-missing"
    msg = expect_error("ResourceNotFoundException", logs.describe_log_streams, logGroupName=missing)
    check("log group does not exist" in msg, f"unexpected message: {msg}")
    expect_error("ResourceNotFoundException", logs.get_log_events, logGroupName=missing, logStreamName="x")
    expect_error("ResourceNotFoundException", logs.filter_log_events, logGroupName=missing)
    expect_error("ResourceNotFoundException", logs.delete_log_group, logGroupName=missing)
    msg = expect_error(
        "ResourceNotFoundException", logs.put_log_events,
        logGroupName=group, logStreamName="no-such-stream",
        logEvents=[{"timestamp": now, "message": "x"}],
    )
    check("log stream does not exist" in msg, f"unexpected message: {msg}")
    expect_error("ResourceAlreadyExistsException", logs.create_log_group, logGroupName=group)
    expect_error("ResourceAlreadyExistsException", logs.create_log_stream, logGroupName=group, logStreamName="big")
    expect_error("InvalidParameterException", logs.create_log_group, logGroupName="bad name!")
    expect_error(
        "InvalidParameterException", logs.filter_log_events,
        logGroupName=group, logStreamNames=["f-a"], logStreamNamePrefix="f-",
    )
    expect_error("InvalidParameterException", logs.put_retention_policy, logGroupName=group, retentionInDays=2)
    expect_error(
        "InvalidParameterException", logs.describe_log_streams,
        logGroupName=group, orderBy="LastEventTime", logStreamNamePrefix="s-",
    )
    expect_error(
        "InvalidParameterException", logs.put_log_events,
        logGroupName=group, logStreamName="s-000",
        logEvents=[{"timestamp": now, "message": "b"}, {"timestamp": now - 1000, "message": "a"}],
    )
    # Nothing from the rejected out-of-order batch was stored.
    resp = logs.get_log_events(logGroupName=group, logStreamName="s-000", startFromHead=True)
    check(resp["events"] == [], f"rejected batch left events behind: {resp['events']}")

    # Too old and too new events are rejected while the rest is stored.
    day = 24 * 3600 * 1000
    resp = logs.put_log_events(
        logGroupName=group, logStreamName="s-001",
        logEvents=[
            {"timestamp": now - 15 * day, "message": "too old"},
            {"timestamp": now - 15 * day + 1, "message": "too old too"},
            {"timestamp": now, "message": "kept"},
            {"timestamp": now + 3 * 3600 * 1000, "message": "too new"},
        ],
    )
    info = resp.get("rejectedLogEventsInfo", {})
    check(info.get("tooOldLogEventEndIndex") == 2, f"rejectedLogEventsInfo {info}, want tooOldLogEventEndIndex 2")
    check(info.get("tooNewLogEventStartIndex") == 3, f"rejectedLogEventsInfo {info}, want tooNewLogEventStartIndex 3")
    resp = logs.get_log_events(logGroupName=group, logStreamName="s-001", startFromHead=True)
    check([e["message"] for e in resp["events"]] == ["kept"], f"stored {resp['events']}, want only 'kept'")
    print("ok errors: ResourceNotFound, ResourceAlreadyExists, InvalidParameter, rejectedLogEventsInfo")


def main():
    endpoint, region = sys.argv[1], sys.argv[2]
    logs = boto3.client(
        "logs", endpoint_url=endpoint, region_name=region,
        aws_access_key_id="test", aws_secret_access_key="test",
        config=botocore.config.Config(retries={"max_attempts": 1}),
    )
    run = uuid.uuid4().hex[:12]
    now = int(time.time() * 1000)
    group = f"/e2e/boto3/{run}/main"
    logs.create_log_group(logGroupName=group)
    check_describe_log_groups(logs, run)
    check_describe_log_streams(logs, group)
    check_get_log_events(logs, group, now)
    check_filter_log_events(logs, group, now)
    check_errors(logs, group, now)
    print("boto3 e2e: all checks passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)

// Package filtercases is the shared table of CloudWatch Logs filter pattern
// cases: the examples of the AWS page "Filter pattern syntax for metric
// filters, subscription filters, filter log events, and Live Tail" (and its
// earlier "Filter and Pattern Syntax" version) with the page's sample events
// and stated results, the CloudTrail metric filters of the CIS AWS benchmark,
// patterns as the AWS CDK writes them, the project's seed article, and edge
// cases that pin down the decisions in package filterpattern's
// documentation.
//
// It is test data only: package filterpattern's tests run every case
// against Parse and Match, and the CloudWatch Logs server's tests run the
// same cases through TestMetricFilter and FilterLogEvents over HTTP, so both
// suites share one table.
//
// Sources: "doc" cases come from the AWS page, "cis" from the CIS benchmark,
// "cdk" from aws-logs/lib/pattern.ts of the AWS CDK, "seed" from the seed
// article, "edge" from the package documentation's decisions.
package filtercases

// MatchCase is one pattern applied to one event.
type MatchCase struct {
	Src     string // doc, cis, cdk, seed or edge
	Pattern string
	Event   string
	Want    bool
}

// ExtractCase is a space-delimited pattern with the values TestMetricFilter
// reports in extractedValues for an event.
type ExtractCase struct {
	Src     string
	Pattern string
	Event   string
	Want    map[string]string
}

// ErrorCase is a pattern that must be rejected.
type ErrorCase struct {
	Src     string
	Pattern string
	Offset  int    // byte offset the error must point at
	AWS     string // the InvalidParameterException message AWS gives, "" if unknown
}

// Sample events of the documentation and realistic Lambda log lines. The
// exported ones are used by tests outside the table.
const (
	docFatal   = "[ERROR] A fatal exception has occurred"
	docExiting = "Exiting with ERRORCODE: -1"

	docErrWarn = "ERROR WARN message"
	docErr     = "ERROR message"
	docWarn    = "WARN message"

	DocU400 = "[ERROR 400] BAD REQUEST"
	docU401 = "[ERROR 401] UNAUTHORIZED REQUEST"
	docU419 = "[ERROR 419] MISSING ARGUMENTS"
	docU420 = "[ERROR 420] INVALID ARGUMENTS"
	docU200 = "[SUCCESS 200] AUTHORIZED REQUEST"
	docU500 = "[ERROR 500] INTERNAL SERVER ERROR"

	DocTrail = `{
  "eventType": "UpdateTrail",
  "sourceIPAddress": "111.111.111.111",
  "arrayKey": [
        "value",
        "another value"
  ],
  "objectList": [
       {
         "name": "a",
         "id": 1
       },
       {
         "name": "b",
         "id": 2
       }
  ],
  "SomeObject": null,
  "ThisFlag": true
}`

	DocUsers = `{
    "user": {
        "id": 1,
        "email": "John.Stiles@example.com"
    },
    "users": [
        {
         "id": 2,
         "email": "John.Doe@example.com"
        },
        {
         "id": 3,
         "email": "Jane.Doe@example.com"
        }
    ],
    "actions": [
        "GET",
        "PUT",
        "DELETE"
    ],
    "coordinates": [
        [0, 1, 2],
        [4, 5, 6],
        [7, 8, 9]
    ]
}`

	docNumbers = `{"latency": 500, "numbers": [0.005, 20], "processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}], "errorCode": 400}`

	DocApache1 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534`
	docApache2 = `127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`
	docApache3 = `127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`
	docApache4 = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`
	apache403  = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 403 1534`

	ctRoot       = `{"eventVersion":"1.08","userIdentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root"},"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","additionalEventData":{"MFAUsed":"No"}}`
	ctRootMFA    = `{"userIdentity":{"type":"Root"},"eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn","additionalEventData":{"MFAUsed":"Yes"}}`
	ctRootBySvc  = `{"userIdentity":{"type":"Root","invokedBy":"support.amazonaws.com"},"eventType":"AwsApiCall"}`
	ctUnauth     = `{"errorCode":"Client.UnauthorizedOperation","eventName":"RunInstances"}`
	ctDenied     = `{"errorCode":"AccessDeniedException","eventName":"GetObject"}`
	ctThrottled  = `{"errorCode":"ThrottlingException","eventName":"GetObject"}`
	ctKMSDisable = `{"eventSource":"kms.amazonaws.com","eventName":"DisableKey"}`
	ctKMSList    = `{"eventSource":"kms.amazonaws.com","eventName":"ListKeys"}`
	ctS3Disable  = `{"eventSource":"s3.amazonaws.com","eventName":"DisableKey"}`

	PTError = `{"level":"ERROR","location":"handler:42","message":"payment failed","timestamp":"2024-05-01T10:00:00.123Z","service":"payment","cold_start":true,"function_name":"pay","function_memory_size":128,"function_arn":"arn:aws:lambda:us-east-1:123456789012:function:pay","function_request_id":"c6af9ac6-7b61-11e6-9a41-93e812345678","xray_trace_id":"1-5759e988-bd862e3fe1be46a994272793","sampling_rate":0.1}`
	PTInfo  = `{"level":"INFO","location":"handler:12","message":"charged","timestamp":"2024-05-01T10:00:01.000Z","service":"payment","cold_start":false,"function_name":"pay","function_memory_size":1024,"function_request_id":"0f9e8d7c-1111-2222-3333-444455556666"}`

	LambdaReport = "REPORT RequestId: c6af9ac6-7b61-11e6-9a41-93e812345678\tDuration: 38.66 ms\tBilled Duration: 39 ms\tMemory Size: 128 MB\tMax Memory Used: 54 MB\tInit Duration: 203.69 ms\t"
	LambdaStart  = "START RequestId: c6af9ac6-7b61-11e6-9a41-93e812345678 Version: $LATEST"
	lambdaTimout = "2024-05-01T10:00:03.000Z c6af9ac6-7b61-11e6-9a41-93e812345678 Task timed out after 3.00 seconds"
)

// MatchCases are the match cases.
var MatchCases = []MatchCase{
	// Terms: single term, include/exclude, several terms (doc, earlier page).
	{"doc", `ERROR`, docFatal, true},
	{"doc", `ERROR`, docExiting, true},
	{"doc", `"ERROR"`, docExiting, true},
	{"doc", `"ERROR" - "Exiting"`, docFatal, true},
	{"doc", `"ERROR" - "Exiting"`, docExiting, false},
	{"doc", `ERROR Exception`, "[ERROR] Caught IllegalArgumentException", true},
	{"doc", `ERROR Exception`, "[ERROR] Unhandled Exception", true},
	{"doc", `ERROR Exception`, docFatal, false},
	{"doc", `Failed to process the request`, "[WARN] Failed to process the request", true},
	{"doc", `Failed to process the request`, "[ERROR] Unable to continue: Failed to process the request", true},
	{"doc", `Failed to process the request`, "[ERROR] Failed to process", false},
	{"doc", ``, docFatal, true},
	// OR pattern matching in terms.
	{"doc", `ERROR`, docErrWarn, true},
	{"doc", `ERROR`, docErr, true},
	{"doc", `ERROR`, docWarn, false},
	{"doc", `?ERROR ?WARN`, docErrWarn, true},
	{"doc", `?ERROR ?WARN`, docErr, true},
	{"doc", `?ERROR ?WARN`, docWarn, true},
	{"doc", `?ERROR ?WARN`, "INFO message", false},
	{"doc", `ERROR WARN`, docErrWarn, true},
	{"doc", `ERROR WARN`, docErr, false},
	{"doc", `ERROR WARN`, docWarn, false},
	{"doc", `ERROR -WARN`, docErrWarn, false},
	{"doc", `ERROR -WARN`, docErr, true},
	{"doc", `ERROR -WARN`, docWarn, false},
	// OR in space-delimited patterns. The page says the third pattern
	// matches the first event; by its own rules (w1 must differ from both
	// words and the event has three fields for two) it matches none, and so
	// it does here.
	{"doc", `[w1=ERROR, w2]`, docErrWarn, false},
	{"doc", `[w1=ERROR, w2]`, docErr, true},
	{"doc", `[w1=ERROR, w2]`, docWarn, false},
	{"doc", `[w1=ERROR || w1=WARN, w2]`, docErrWarn, false},
	{"doc", `[w1=ERROR || w1=WARN, w2]`, docErr, true},
	{"doc", `[w1=ERROR || w1=WARN, w2]`, docWarn, true},
	{"doc", `[w1!=ERROR&&w1!=WARN, w2]`, docErrWarn, false},
	{"doc", `[w1!=ERROR&&w1!=WARN, w2]`, docErr, false},
	{"doc", `[w1!=ERROR&&w1!=WARN, w2]`, "INFO message", true},
	// OR in JSON patterns.
	{"doc", `{$.foo = bar}`, `{"foo": "bar"}`, true},
	{"doc", `{$.foo = bar}`, `{"foo": "baz"}`, false},
	{"doc", `{$.foo = baz }`, `{"foo": "baz"}`, true},
	{"doc", `{$.foo = bar || $.foo = baz }`, `{"foo": "bar"}`, true},
	{"doc", `{$.foo = bar || $.foo = baz }`, `{"foo": "baz"}`, true},
	{"doc", `{$.foo = bar || $.foo = baz }`, `{"foo": "qux"}`, false},

	// Terms, current page.
	{"doc", `ERROR`, DocU400, true},
	{"doc", `ERROR`, docU401, true},
	{"doc", `ERROR`, docU419, true},
	{"doc", `ERROR`, docU200, false},
	{"doc", `ERROR ARGUMENTS`, docU419, true},
	{"doc", `ERROR ARGUMENTS`, docU420, true},
	{"doc", `ERROR ARGUMENTS`, DocU400, false},
	{"doc", `?ERROR ?ARGUMENTS`, DocU400, true},
	{"doc", `?ERROR ?ARGUMENTS`, docU200, false},
	{"doc", `"INTERNAL SERVER ERROR"`, docU500, true},
	{"doc", `"INTERNAL SERVER ERROR"`, DocU400, false},
	{"doc", `ERROR -ARGUMENTS`, DocU400, true},
	{"doc", `ERROR -ARGUMENTS`, docU401, true},
	{"doc", `ERROR -ARGUMENTS`, docU419, false},
	{"doc", `ERROR -ARGUMENTS`, docU420, false},

	// Regular expressions: every operator of the page with its example.
	{"doc", `%AUTHORIZED%`, docU401, true},
	{"doc", `%AUTHORIZED%`, docU200, true},
	{"doc", `%AUTHORIZED%`, DocU400, false},
	{"doc", `%^[hc]at%`, "hat", true},
	{"doc", `%^[hc]at%`, "cat", true},
	{"doc", `%^[hc]at%`, "the cat", false},
	{"doc", `%[hc]at$%`, "that", true},
	{"doc", `%[hc]at$%`, "hat trick", false},
	{"doc", `%colou?r%`, "color", true},
	{"doc", `%colou?r%`, "colour", true},
	{"doc", `%colou?r%`, "colouur", false},
	{"doc", `%[abc]%`, "xbx", true},
	{"doc", `%[abc]%`, "xyz", false},
	{"doc", `%[a-z]%`, "ABC", false},
	{"doc", `%[a-z]%`, "AbC", true},
	{"doc", `%[abcx-z]%`, "y", true},
	{"doc", `%[abcx-z]%`, "w", false},
	{"doc", `%a{3,5}%`, "aaa", true},
	{"doc", `%a{3,5}%`, "aa", false},
	{"doc", `%^a{3,5}$%`, "aaaaaa", false},
	{"doc", `%gra|ey%`, "gray", true},
	{"doc", `%gra|ey%`, "grey", true},
	{"doc", `%gra|ey%`, "gry", false},
	{"doc", `%\[.\]%`, "[a]", true},
	{"doc", `%\[.\]%`, "[7]", true},
	{"doc", `%\[.\]%`, "[ab]", false},
	{"doc", `%ab*c%`, "ac", true},
	{"doc", `%ab*c%`, "abbbc", true},
	{"doc", `%ab*c%`, "adc", false},
	{"doc", `%ab+c%`, "abc", true},
	{"doc", `%ab+c%`, "ac", false},
	{"doc", `%.at%`, "#at", true},
	{"doc", `%.at%`, " at", true},
	{"doc", `%.at%`, "at", false},
	{"doc", `%file\d\.txt%`, "file1.txt", true},
	{"doc", `%file\d\.txt%`, "fileA.txt", false},
	{"doc", `%\D%`, "123", false},
	{"doc", `%\D%`, "12a", true},
	{"doc", `%a\sb%`, "a\tb", true},
	{"doc", `%a\sb%`, "ab", false},
	{"doc", `%\S%`, "  \t ", false},
	{"doc", `%\w%`, "!_!", true},
	{"doc", `%\w%`, "!?!", false},
	{"doc", `%\W%`, "a-b", true},
	{"doc", `%\W%`, "a_b", false},
	{"doc", `%\x41%`, "A", true},
	{"doc", `%\x28\d+\x29%`, "code (42)", true},
	{"doc", `%10\.10\.0\.1%`, "from 10.10.0.1", true},
	{"doc", `%10\.10\.0\.1%`, "from 10a10b0c1", false},
	{"doc", `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, "client 192.168.0.12 connected", true},
	{"doc", `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, "client localhost connected", false},
	{"doc", `%[Ee]rror|[Ff]ail%`, "disk error", true},
	{"doc", `%[Ee]rror|[Ff]ail%`, "Failed", true},
	{"doc", `%[Ee]rror|[Ff]ail%`, "ERROR", false},

	// JSON: the page's sample event and the filters it says match it.
	{"doc", `{ $.eventType = "UpdateTrail" }`, DocTrail, true},
	{"doc", `{ $.sourceIPAddress != 123.123.* }`, DocTrail, true},
	{"doc", `{ $.arrayKey[0] = "value" }`, DocTrail, true},
	{"doc", `{ $.objectList[1].id = 2 }`, DocTrail, true},
	{"doc", `{ $.SomeObject IS NULL }`, DocTrail, true},
	{"doc", `{ $.SomeOtherObject NOT EXISTS }`, DocTrail, true},
	{"doc", `{ $.ThisFlag IS TRUE }`, DocTrail, true},
	{"doc", `{ $.ThisFlag IS FALSE }`, DocTrail, false},
	{"doc", `{ $.ThisFlag IS FALSE }`, `{"ThisFlag": false}`, true},
	{"doc", `{ $.eventType = *Trail }`, DocTrail, true},
	{"doc", `{ $.eventType = Update* }`, DocTrail, true},
	{"doc", `{ $.eventType = Up*Trail }`, DocTrail, false},
	{"doc", `{ $.name = Ev*ent }`, `{"name": "Ev*ent"}`, true},
	{"doc", `{ $.name = *Event }`, `{"name": "PutEvent"}`, true},
	{"doc", `{ $.name = Event* }`, `{"name": "EventName"}`, true},
	{"doc", `{ $.sourceIPAddress = 111.111.* }`, DocTrail, true},
	{"doc", `{ $.sourceIPAddress != 111.111.* }`, DocTrail, false},
	{"doc", `{ $.arrayKey[0] = "value" }`, `{"arrayKey": "value"}`, false},
	{"doc", `{ $.objectList[1].id = 2 }`, `{"objectList": [{"id": 2}, {"name": "b"}]}`, false},
	{"doc", `{ $.SomeObject IS NULL }`, `{"SomeObject": {}}`, false},
	{"doc", `{ $.SomeOtherObject NOT EXISTS }`, `{"SomeOtherObject": 0}`, false},
	{"edge", `{ $.arrayKey[1] = "another value" }`, DocTrail, true},
	{"edge", `{ $.arrayKey[2] = "value" }`, DocTrail, false},
	{"edge", `{ $.arrayKey[2] NOT EXISTS }`, DocTrail, true},
	{"edge", `{ $.eventType[0] = "UpdateTrail" }`, DocTrail, false},
	{"edge", `{ $.objectList[0].name = a }`, DocTrail, true},
	{"edge", `{ $.objectList[0].name.first NOT EXISTS }`, DocTrail, true},
	{"edge", `{ $.SomeObject NOT EXISTS }`, DocTrail, false},
	{"edge", `{ $.eventType IS NULL }`, DocTrail, false},
	{"edge", `{ $.ThisFlag = true }`, DocTrail, true},
	{"edge", `{ $.ThisFlag IS TRUE }`, `{"ThisFlag": "true"}`, false},
	{"edge", `{ $.SomeObject = null }`, DocTrail, true},
	{"edge", `{ $.SomeObject = * }`, DocTrail, false},
	{"edge", `{ $.SomeObject != * }`, DocTrail, true},

	// JSON compound conditions.
	{"doc", `{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }`, DocUsers, true},
	{"doc", `{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }`, DocUsers, false},
	{"doc", `{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }`, DocUsers, true},
	{"doc", `{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }`, DocUsers, false},
	{"edge", `{ $.coordinates[1][2] = 6 }`, DocUsers, true},
	{"edge", `{ $.coordinates[2][0] >= 7 && $.actions[2] = "DELETE" }`, DocUsers, true},
	{"edge", `{ $.users[1].email = "Jane.Doe@example.com" }`, DocUsers, true},
	{"edge", `{ $.a = 1 || $.b = 1 && $.c = 1 }`, `{"a": 1, "b": 0, "c": 0}`, true},
	{"edge", `{ $.a = 1 || $.b = 1 && $.c = 1 }`, `{"a": 0, "b": 1, "c": 0}`, false},
	{"edge", `{ ($.a = 1 || $.b = 1) && $.c = 1 }`, `{"a": 1, "b": 0, "c": 0}`, false},
	{"edge", `{(($.a=1))}`, `{"a":1}`, true},

	// JSON special considerations: a selector on an array or object.
	{"doc", `{$.users = 1}`, `{"users": [1, 2, 3]}`, false},
	{"doc", `{$.users != 1}`, `{"users": [1, 2, 3]}`, false},

	// Numeric comparisons.
	{"doc", `{ $.latency >= 500 }`, docNumbers, true},
	{"doc", `{ $.numbers[0] < 10e3 }`, docNumbers, true},
	{"doc", `{ $.numbers[0] < 10e-3 }`, docNumbers, true},
	{"doc", `{ $.numbers[1] < 10e-3 }`, docNumbers, false},
	{"doc", `{ $.processes[4].averageRuntime <= 55.5 }`, docNumbers, true},
	{"doc", `{ $.errorCode = 400 }`, docNumbers, true},
	{"doc", `{ $.errorCode != 500 }`, docNumbers, true},
	{"doc", `{ $.latency > +1000 }`, docNumbers, false},
	{"doc", `{ $.latency > +1000 }`, `{"latency": 1500}`, true},
	{"doc", `{ $.latency = * }`, docNumbers, true},
	{"doc", `{ $.latency = * }`, `{"other": 1}`, false},
	{"edge", `{ $.latency = 5e2 }`, docNumbers, true},
	{"edge", `{ $.latency = 500.0 }`, docNumbers, true},
	{"edge", `{ $.latency = -500 }`, docNumbers, false},
	{"edge", `{ $.latency < -1 }`, `{"latency": -2.5}`, true},
	{"edge", `{ $.latency > 1E+2 }`, `{"latency": 1.5e3}`, true},
	{"edge", `{ $.latency > 100 }`, `{"latency": "500"}`, false},
	{"edge", `{ $.latency = 500 }`, `{"latency": "500"}`, true},
	{"edge", `{ $.latency = "500" }`, `{"latency": 500}`, true},
	{"edge", `{ $.latency < 100 }`, `{"latency": true}`, false},

	// CloudTrail filters of the CIS benchmark, as AWS documents them.
	{"cis", `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`, ctUnauth, true},
	{"cis", `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`, ctDenied, true},
	{"cis", `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`, ctThrottled, false},
	{"cis", `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`, ctRoot, true},
	{"cis", `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`, ctRootBySvc, false},
	{"cis", `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}`, ctKMSDisable, true},
	{"cis", `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}`, ctKMSList, false},
	{"cis", `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion))}`, ctS3Disable, false},
	{"cis", `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`, ctRoot, true},
	{"cis", `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`, ctRootMFA, false},

	// Patterns as the AWS CDK's FilterPattern writes them.
	{"cdk", `?"ERROR" "MainThread" ?"WARN" "Deadlock"`, "WARN Deadlock detected", true},
	{"cdk", `?"ERROR" "MainThread" ?"WARN" "Deadlock"`, "ERROR in worker", false},
	{"cdk", `{ ($.component = "HttpServer") && (($.error IS TRUE) || ($.latency > 1000)) }`, `{"component": "HttpServer", "error": false, "latency": 1200}`, true},
	{"cdk", `{ ($.component = "HttpServer") && (($.error IS TRUE) || ($.latency > 1000)) }`, `{"component": "HttpServer", "error": false, "latency": 12}`, false},
	{"cdk", `{ ($.latency = "*") && ($.message = %bind:\saddress%) }`, `{"latency": 3, "message": "listen: bind: address already in use"}`, true},
	{"cdk", `[ip, user, ..., status_code = "4*" && status_code != "403", bytes > 1000]`, docApache4, true},
	{"cdk", `[ip, user, ..., status_code = "4*" && status_code != "403", bytes > 1000]`, apache403, false},
	{"cdk", `"C:\\temp \"x\""`, `dir C:\temp "x"`, true},

	// Structured Lambda logs (the seed article and Powertools keys).
	{"seed", `{$.level = "WARNING"}`, `{"level":"WARNING","message":"slow downstream","function_request_id":"b959bd9a-edd4-4e02-94e5-15379a31479c"}`, true},
	{"seed", `{$.level = "WARNING"}`, PTError, false},
	{"seed", `{$.function_request_id = "b959bd9a-edd4-4e02-94e5-15379a31479c"}`, `{"level":"WARNING","message":"slow downstream","function_request_id":"b959bd9a-edd4-4e02-94e5-15379a31479c"}`, true},
	{"edge", `{$.level = "WARNING" || $.level = "ERROR"}`, PTError, true},
	{"edge", `{$.level = "WARNING" || $.level = "ERROR"}`, PTInfo, false},
	{"edge", `{$.function_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"}`, PTError, true},
	{"edge", `{$.function_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"}`, PTInfo, false},
	{"edge", `{ $.cold_start IS TRUE && $.function_memory_size <= 128 }`, PTError, true},
	{"edge", `{ $.cold_start IS FALSE }`, PTInfo, true},
	{"edge", `{ $.service = pay* && $.sampling_rate > 0.05 }`, PTError, true},
	{"edge", `{ $.xray_trace_id NOT EXISTS }`, PTInfo, true},
	{"edge", `{ $.level = "ERROR" }`, LambdaReport, false},
	{"edge", `{ $.message = %fail% }`, PTError, true},
	{"edge", `{ $.message != %fail% }`, PTInfo, true},
	{"edge", `{ $.location = %^handler:\d+$% }`, PTInfo, true},
	{"edge", `{ $.function_memory_size = %^1\d\d$% }`, PTError, true},
	{"edge", `{ $.function_memory_size = %^1\d\d$% }`, PTInfo, false},

	// JSON documents: escapes, layout, malformed input.
	{"edge", `{ $.level = "ERROR" }`, `{"le\u0076el": "ERROR"}`, true},
	{"edge", `{ $.msg = "say \"hi\"" }`, `{"msg": "say \"hi\""}`, true},
	{"edge", `{ $.msg = "héllo" }`, `{"msg": "h\u00e9llo"}`, true},
	{"edge", `{ $.path = "a/b" }`, `{"path": "a\/b"}`, true},
	{"edge", `{ $.a NOT EXISTS }`, `plain text line`, false},
	{"edge", `{ $.a NOT EXISTS }`, `{"b": 1} trailing`, false},
	{"edge", `{ $.a = 1 }`, `{"a": 1`, false},
	{"edge", `{ $.b = 2 }`, `{"a": "unterminated, "b": 2}`, false},
	{"edge", `{ $.a = 1 }`, `{"a": 1, "a": 2}`, true},
	{"edge", `{ $.a = 2 }`, `{"a": 1, "a": 2}`, false},
	{"edge", `{ $.a.b NOT EXISTS }`, `{"a": "text"}`, true},
	{"edge", `{ $.b = 1 }`, `{"a": {"x": [1, {"y": "}"}]}, "b": 1}`, true},
	{"edge", `{ $[1] = 2 }`, `[1, 2, 3]`, true},
	{"edge", `{ $.k-1 = v }`, `{"k-1": "v"}`, true},
	{"edge", `{ $.n = 1000 }`, `{"n": 1e3}`, true},
	{"edge", `{ $.n < 0 }`, `{"n": -0.5}`, true},
	{"edge", `{ $.level = error }`, `{"level": "ERROR"}`, false},
	{"edge", `{ $.a = "foo@bar" }`, `{"a": "foo@bar"}`, true},
	{"edge", `{$.a=1&&$.b=2}`, `{"a":1,"b":2}`, true},
	// Selectors sharing a prefix are read in one pass over the event.
	{"edge", `{ $.a.b = 1 && $.a.c = 2 }`, `{"a": {"c": 2, "b": 1}}`, true},
	{"edge", `{ $.a.b = 1 && $.a[0] NOT EXISTS }`, `{"a": {"b": 1}}`, true},
	{"edge", `{ $.a[0] = 1 && $.a.b NOT EXISTS }`, `{"a": [1]}`, true},
	{"edge", `{ $.a = * || $.a.b = 1 }`, `{"a": {"b": 1}}`, true},
	{"edge", `{ $.a.b = 1 }`, `{"a": {"b": 1}, "a": {"b": 2}}`, true},
	{"edge", `{ $.a.c = 3 }`, `{"a": {"b": 1}, "a": {"c": 3}}`, false},
	{"edge", `{ $.k0 = 0 && $.k1 = 1 && $.k2 = 2 && $.k3 = 3 && $.k4 = 4 && $.k5 = 5 && $.k6 = 6 && $.k7 = 7 && $.k8 = 8 && $.k9 = 9 }`,
		`{"k9": 9, "k8": 8, "k7": 7, "k6": 6, "k5": 5, "k4": 4, "k3": 3, "k2": 2, "k1": 1, "k0": 0}`, true},
	{"edge", `{ $.k0 = 0 && $.k1 = 1 && $.k2 = 2 && $.k3 = 3 && $.k4 = 4 && $.k5 = 5 && $.k6 = 6 && $.k7 = 7 && $.k8 = 8 && $.k9 = 9 }`,
		`{"k9": 8, "k8": 8, "k7": 7, "k6": 6, "k5": 5, "k4": 4, "k3": 3, "k2": 2, "k1": 1, "k0": 0}`, false},

	// Space-delimited: the page's access log examples.
	{"doc", `[ip, user, username, timestamp, request, status_code, bytes]`, DocApache1, true},
	{"doc", `[..., status_code, bytes]`, docApache2, true},
	{"doc", `[ip, user, ..., status_code, bytes]`, docApache3, true},
	{"doc", `[ip, user, ...]`, DocApache1, true},
	{"doc", `[ip, user, username, timestamp, request, status_code, bytes > 1000]`, DocApache1, true},
	{"doc", `[ip, user, username, timestamp, request, status_code, bytes > 5000]`, DocApache1, false},
	{"doc", `[ip, user, username, timestamp, request, status_code, bytes > 5000]`, docApache2, true},
	{"doc", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, DocApache1, true},
	{"doc", `[ip, user, username, timestamp, request, status_code = 200, bytes]`, docApache2, false},
	{"doc", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, DocApache1, false},
	{"doc", `[ip, user, username, timestamp, request, status_code = 4*, bytes]`, docApache4, true},
	{"doc", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, docApache4, true},
	{"doc", `[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]`, DocApache1, false},
	{"doc", `[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]`, docApache4, true},
	{"doc", `[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]`, DocApache1, false},
	{"doc", `[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, docApache4, true},
	{"doc", `[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]`, apache403, false},
	{"doc", `[..., request=*.html*, status_code=4*,]`, docApache4, true},
	{"doc", `[..., request=*.html*, status_code=4*,]`, DocApache1, false},

	// Space-delimited edge cases.
	{"edge", `[a, b]`, "x", false},
	{"edge", `[a, b]`, "x y z", false},
	{"edge", `[a, b]`, "  x \t y  ", true},
	{"edge", `[..., last]`, "", false},
	{"edge", `[..., last]`, "x", true},
	{"edge", `[first, ...]`, "x", true},
	{"edge", `[a, ..., y, z]`, "a y", false},
	{"edge", `[a = %^\d+$%, b]`, "123 x", true},
	{"edge", `[a = %^\d+$%, b]`, "12a x", false},
	{"edge", `[a > 1.5, b]`, "2 x", true},
	{"edge", `[a > 1.5, b]`, "abc x", false},
	{"edge", `[a = 200, b]`, "200.0 x", true},
	{"edge", `[a != 200, b]`, "abc x", true},
	{"edge", `[a = *]`, "anything", true},
	{"edge", `[a != *]`, "anything", false},
	{"edge", `[a = "GET /index.html HTTP/1.0"]`, `"GET /index.html HTTP/1.0"`, true},
	{"edge", `[a, b]`, `[unclosed bracket`, true},
	{"edge", `[a, b = "x y"]`, `first "x y"`, true},
	{"edge", `[a,,c]`, "x y z", true},
	{"edge", `[1st, status-code = 200]`, "x 200", true},
	{"edge", `[level = ERROR || level = WARN && level != WARNING, msg]`, "WARN hi", true},
	{"edge", `[(a = 1 || a = 2) && a != 2, b]`, "2 x", false},
	{"edge", `[type = REPORT, ..., used = "Used:", max_mem > 50, unit = MB, initlabel = Init, durlabel, init_ms > 100, ms_unit]`, LambdaReport, true},
	{"edge", `[type = START, ..., version = "$LATEST"]`, LambdaStart, true},

	// Terms: decisions and Lambda platform lines.
	{"edge", `error`, "ERROR", false},
	{"edge", `   `, "anything", true},
	{"edge", `"a \"quoted\" word"`, `say a "quoted" word`, true},
	{"edge", `"C:\temp"`, `path C:\temp`, true},
	{"edge", `"héllo"`, "say héllo", true},
	{"edge", `404`, "status 404", true},
	{"edge", `?"a" "b" ?"c"`, "a b", true},
	{"edge", `?"a" "b" ?"c"`, "a", false},
	{"edge", `?"a" "b" ?"c"`, "c", true},
	{"edge", `ERROR ?WARN`, "WARN x", true},
	{"edge", `ERROR ?WARN`, "INFO x", false},
	{"edge", `?ERROR ?WARN -DEBUG`, "WARN DEBUG", false},
	{"edge", `?ERROR ?WARN -DEBUG`, "ERROR DEBUG", true},
	{"edge", `-DEBUG`, "INFO x", true},
	{"edge", `-DEBUG`, "DEBUG x", false},
	{"edge", `"email@example.com"`, "sent to email@example.com", true},
	{"edge", `"Task timed out"`, lambdaTimout, true},
	{"edge", `REPORT "Init Duration"`, LambdaReport, true},
	{"edge", `REPORT -"Init Duration"`, LambdaReport, false},
	{"edge", `%^REPORT.*Init\x20Duration%`, LambdaReport, true},
	{"edge", `%Duration:\s\d+\.\d+\sms%`, LambdaReport, true},
}

// ExtractCases are the extractedValues cases.
var ExtractCases = []ExtractCase{
	{"doc", `[..., request=*.html*, status_code=4*,]`, docApache4, map[string]string{
		"$status_code": "404",
		"$request":     "GET /index.html HTTP/1.0",
		"$7":           "1534",
		"$4":           "10/Oct/2000:13:25:15 -0700",
		"$3":           "frank",
		"$2":           "-",
		"$1":           "127.0.0.1",
	}},
	{"doc", `[ip, user, username, timestamp, request, status_code, bytes]`, DocApache1, map[string]string{
		"$ip": "127.0.0.1", "$user": "-", "$username": "frank", "$timestamp": "10/Oct/2000:13:25:15 -0700",
		"$request": "GET /apache_pb.gif HTTP/1.0", "$status_code": "200", "$bytes": "1534",
	}},
	{"doc", `[w1=ERROR, w2]`, docErr, map[string]string{"$w1": "ERROR", "$w2": "message"}},
	{"edge", `[a,,c]`, "x y z", map[string]string{"$a": "x", "$2": "y", "$c": "z"}},
	{"edge", `[ip, ..., status, bytes]`, docApache2, map[string]string{
		"$ip": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:35:22 -0700",
		"$5": "GET /apache_pb.gif HTTP/1.0", "$status": "500", "$bytes": "5324",
	}},
	{"edge", `[first, ...]`, "only", map[string]string{"$first": "only"}},
}

// ErrorCases are the patterns that must be rejected.
var ErrorCases = []ErrorCase{
	// AWS's documentation: only the listed characters in a regex.
	{"doc", `%something!%`, 10, ""},
	{"doc", `%(a|b)%`, 1, ""},
	{"doc", `%é%`, 1, ""},
	// AWS rejects this example of its own earlier page (awsdocs issue 21):
	// a condition of one field cannot test another.
	{"doc", `[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`, 61, ""},
	// AWS's messages seen in the wild.
	{"edge", `{ $.a = 1`, 8, "If a filter pattern starts with '{' it must end with '}'"},
	{"edge", `email@example.com`, 5, "Invalid character(s) in term 'email@example.com'"},
	{"edge", `""`, 0, `Invalid character(s) in term '""'`},
	{"edge", `err:`, 3, "Invalid character(s) in term 'err:'"},
	// Regex dialect.
	{"edge", `%a b%`, 2, ""},
	{"edge", `%^REPORT.*Init Duration%`, 14, ""},
	{"edge", `%\(%`, 1, ""},
	{"edge", `%%`, 0, ""},
	{"edge", `%abc`, 0, ""},
	{"edge", `%a{3,x}%`, 2, ""},
	{"edge", `%a{5,3}%`, 2, ""},
	{"edge", `%a{2000}%`, 2, ""},
	{"edge", `%{3}%`, 1, ""},
	{"edge", `%[abc%`, 5, ""},
	{"edge", `%abc]%`, 4, ""},
	{"edge", `%a**%`, 1, ""},
	{"edge", `%[z-a]%`, 1, ""},
	{"edge", `%\q%`, 1, ""},
	{"edge", `%\x4%`, 1, ""},
	{"edge", `%a% b`, 4, ""},
	{"edge", `{ $.a = %a% || $.b = %b% || $.c = %c% }`, 34, ""},
	{"edge", `[a = %x%, b = %y%, c = %z%]`, 23, ""},
	// Terms.
	{"edge", `?`, 0, ""},
	{"edge", `ERROR -`, 6, ""},
	{"edge", `?-x`, 1, ""},
	{"edge", `ERROR %foo%`, 6, ""},
	{"edge", `"unclosed`, 0, ""},
	{"edge", `  ERROR:`, 7, ""},
	// JSON.
	{"edge", `{ }`, 2, ""},
	{"edge", `{ $ = 1 }`, 2, ""},
	{"edge", `{ level = 1 }`, 2, ""},
	{"edge", `{ $.a[x] = 1 }`, 6, ""},
	{"edge", `{ $. = 1 }`, 4, ""},
	{"edge", `{ $.a is null }`, 6, ""},
	{"edge", `{ $.a == 1 }`, 7, ""},
	{"edge", `{ $.a = }`, 8, ""},
	{"edge", `{ $.a = "x }`, 8, ""},
	{"edge", `{ $.a < abc }`, 8, ""},
	{"edge", `{ $.a = foo@bar }`, 11, ""},
	{"edge", `{ ($.a = 1 }`, 11, ""},
	{"edge", `{ $.a = 1 $.b = 2 }`, 10, ""},
	{"edge", `{ $.a = 1 && }`, 13, ""},
	// Space-delimited.
	{"edge", `[a, b`, 4, ""},
	{"edge", `[]`, 1, ""},
	{"edge", `[a, a]`, 4, ""},
	{"edge", `[..., b, ...]`, 9, ""},
	{"edge", `[12]`, 1, ""},
	{"edge", `[a && a = 1]`, 1, ""},
	{"edge", `[a = ]`, 5, ""},
	{"edge", `[a b]`, 3, ""},
	{"edge", `[a = 1 || b = 2]`, 10, ""},
	{"edge", `[a > x]`, 5, ""},
}

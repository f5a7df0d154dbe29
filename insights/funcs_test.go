package insights

import (
	"strings"
	"testing"
)

// exprCase is an expression evaluated over one event, and the text of its
// value ("" for absent).
type exprCase struct {
	expr string
	want string
}

// absent is the want of an expression whose value is absent.
const absent = "<absent>"

// runExprs evaluates each expression with fields ... as v over msg.
func runExprs(t *testing.T, msg string, cases []exprCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			want := []string{"v=" + c.want}
			if c.want == absent {
				want = []string{""}
			}
			x := tc{query: "fields " + c.expr + " as v", msgs: []string{msg}, want: want}
			x.run(t)
		})
	}
}

func TestOperators(t *testing.T) {
	runExprs(t, `{"a":7,"b":"2","s":"Hello","t":"abc","f":1.5,"z":0,"neg":-3,"yes":true,"no":false}`, []exprCase{
		{"1 + 2 * 3", "7"},
		{"(1 + 2) * 3", "9"},
		{"2 ^ 3", "8"},
		{"2 ^ 3 ^ 2", "512"},
		{"-2 ^ 2", "-4"},
		{"10 % 3", "1"},
		{"7 / 2", "3.5"},
		{"a - b", "5"},
		{"a / z", absent},
		{"s + 1", absent},
		{"-a", "-7"},
		{"f * 2", "3"},
		{"a > b", "1"},
		{`b = "2"`, "1"},
		{"b = 2.0", "1"},
		{`s = "Hello"`, "1"},
		{`s != "Hello"`, "0"},
		{`s < "World"`, "1"},
		{"s > 5", "0"},
		{"s != 5", "1"},
		{"missing = 1", "0"},
		{"missing != 1", "0"},
		{"a >= 7 and b <= 2", "1"},
		{"a > 7 or b < 2", "0"},
		{"not a > 7", "1"},
		{"!ispresent(missing)", "1"},
		{"a in [1, 7]", "1"},
		{`b in ["2"]`, "1"},
		{`s in ["hello"]`, "0"},
		{`s not in ["x", "y"]`, "1"},
		{`s like "ell"`, "1"},
		{`s like "ELL"`, "0"},
		{`s like /^H.l+o$/`, "1"},
		{`s like /(?i)HELLO/`, "1"},
		{`s =~ /l{2}/`, "1"},
		{`s not like "x"`, "1"},
		{`s not like /l/`, "0"},
		{"yes = 1", "1"},
		{"no", "0"},
		{"yes and a", "1"},
		{"neg < 0", "1"},
		{"@timestamp > 1705314599999", "1"},
		{`@timestamp = "2024-01-15 10:30:00.000"`, "0"},
	})
}

func TestFunctions(t *testing.T) {
	runExprs(t, `{"s":"  Hello World  ","n":-2.567,"ip":"192.0.2.17","ip6":"2001:db8::1","e":"","blank":"   ","hex":"48656c6c6f","list":"[1,\"a\",true]","url":"a b&c=d/é","ts":1705314600123,"num":"42"}`, []exprCase{
		// Numeric.
		{"abs(n)", "2.567"},
		{"ceil(n)", "-2"},
		{"floor(n)", "-3"},
		{"round(n)", "-3"},
		{"round(n, 2)", "-2.57"},
		{"greatest(1, 5, 3)", "5"},
		{"least(4, 2, 8)", "2"},
		{"log(1)", "0"},
		{"sqrt(16)", "4"},
		{"sqrt(-1)", absent},
		{"haversine(0, 0, 0, 1)", "111.19492664455873"},
		{"toNumber(num) + 1", "43"},
		{"toInt(n)", "-2"},
		{"toLong(3000000000.7)", "3000000000"},
		{"toInt(3000000000)", absent},
		{"toDouble(num)", "42"},
		// String: the documentation's examples.
		{`ltrim("xyZxyfooxyZ","xyZ")`, "fooxyZ"},
		{`rtrim("xyZfooxyxyZ","xyZ")`, "xyZfoo"},
		{`trim("xyZxyfooxyxyZ","xyZ")`, "foo"},
		{`substr("xyZfooxyZ",3, 3)`, "foo"},
		{`substr("xyZfooxyZ",3)`, "fooxyZ"},
		{`substr("héllo", 1, 2)`, "él"},
		{`substr("abc", 5)`, ""},
		{"trim(s)", "Hello World"},
		{"ltrim(s)", "Hello World  "},
		{"rtrim(s)", "  Hello World"},
		{"strlen(s)", "15"},
		{`strlen("héllo")`, "5"},
		{"toupper(trim(s))", "HELLO WORLD"},
		{"tolower(trim(s))", "hello world"},
		{`concat("a", 1, "-", missing, "b")`, "a1-b"},
		{`replace("smoke_test_smoke_test", "smoke_test", "Smoke")`, "Smoke_Smoke"},
		{`regexReplace("a1b22c", "[0-9]+", "#")`, "a#b#c"},
		{`strcontains(s, "world")`, "0"},
		{`strcontains(s, "world", true)`, "1"},
		{`startsWith("abc", "ab")`, "1"},
		{`endsWith("abc", "ab")`, "0"},
		{"isempty(e)", "1"},
		{"isempty(missing)", "1"},
		{"isempty(s)", "0"},
		{"isblank(blank)", "1"},
		{"isblank(s)", "0"},
		{"urlencode(url)", "a+b%26c%3Dd%2F%C3%A9"},
		{"urldecode(urlencode(url))", "a b&c=d/é"},
		{`base64encode("hello")`, "aGVsbG8="},
		{`base64decode("aGVsbG8=")`, "hello"},
		{`base64decode("!!")`, absent},
		{`split("a,b,c", ",")`, `["a","b","c"]`},
		{`hexToAscii("48656c6c6f")`, "Hello"},
		{"hexToAscii(hex)", "Hello"},
		{`hexToDec("0xff")`, "255"},
		{"decToHex(255)", "0xff"},
		{"decToHex(-255)", "-0xff"},
		{"decToHex(10.9)", "0xa"},
		// Datetime.
		{"bin(5m)", "2024-01-15 10:30:00.000"},
		{"datefloor(@timestamp, 1h)", "2024-01-15 10:00:00.000"},
		{"dateceil(@timestamp, 1h)", "2024-01-15 11:00:00.000"},
		{"dateceil(@timestamp, 30m)", "2024-01-15 10:30:00.000"},
		{"dateceil(fromMillis(ts), 1h)", "2024-01-15 11:00:00.000"},
		{"datefloor(fromMillis(ts), 1d)", "2024-01-15 00:00:00.000"},
		{"datefloor(fromMillis(ts), 1w)", "2024-01-15 00:00:00.000"},
		{"datefloor(fromMillis(ts), 1mo)", "2024-01-01 00:00:00.000"},
		{"datefloor(fromMillis(ts), 1q)", "2024-01-01 00:00:00.000"},
		{"datefloor(fromMillis(ts), 1y)", "2024-01-01 00:00:00.000"},
		{"fromMillis(ts)", "2024-01-15 10:30:00.123"},
		{"toMillis(@timestamp)", "1705314600000"},
		{`toMillis("2022-01-14T13:18:31.000-08:00")`, "1642195111000"},
		{"now()", "1705318200"},
		{"toMillis(@timestamp) >= (now() * 1000 - 7200000)", "1"},
		{`parseDate("2024-01-15 10:30:00", "yyyy-MM-dd HH:mm:ss", "UTC")`, "1705314600000"},
		{`parseDate("15/01/2024", "dd/MM/yyyy")`, "1705276800000"},
		{`formatDate(@timestamp, "%Y-%m-%d %H:%M:%S.%L", "UTC")`, "2024-01-15 10:30:00.000"},
		{`strftime(@timestamp, "%d/%b/%Y")`, "15/Jan/2024"},
		// General.
		{"ispresent(s)", "1"},
		{"ispresent(missing)", "0"},
		{`coalesce(missing, e, "x")`, ""},
		{`coalesce(missing, num)`, "42"},
		{`if(num > 40, "big", "small")`, "big"},
		{`case(num < 10, "s", num < 100, "m", "l")`, "m"},
		{`case(num < 10, "s")`, absent},
		{"isNumeric(num)", "1"},
		{"isNumeric(s)", "0"},
		{"messageSize(s)", "15"},
		{`messageSize("é")`, "2"},
		// IP.
		{"isValidIp(ip)", "1"},
		{"isValidIp(s)", "0"},
		{"isValidIpV4(ip6)", "0"},
		{"isValidIpV6(ip6)", "1"},
		{`isIpInSubnet(ip, "192.0.2.0/24")`, "1"},
		{`isIpInSubnet(ip6, "2001:db8::/32")`, "1"},
		{`isIpv4InSubnet(ip, "192.0.2.0/28")`, "0"},
		{`isIpv4InSubnet(ip, "192.0.2.16/28")`, "1"},
		{`isIpv6InSubnet(ip6, "2001:db8::/64")`, "1"},
		{"ipv4ToNumber(ip)", "3221226001"},
		{`isPrivateIP("10.1.2.3")`, "1"},
		{`isPrivateIP("8.8.8.8")`, "0"},
		{`isPublicIP("8.8.8.8")`, "1"},
		{"isPublicIP(ip)", "0"},
		{"isReservedIP(ip)", "1"},
		// JSON.
		{"jsonParse(list)", `[1,"a",true]`},
		{"jsonStringify(jsonParse(list))", `[1,"a",true]`},
		{"jsonArraySize(list)", "3"},
		{`jsonArrayContains(list, "a")`, "1"},
		{`jsonArrayContains(list, "b")`, "0"},
		{`jsonArrayContains(s, "a")`, "0"},
		{"jsonParse(s)", absent},
		{"toupper(jsonParse(list))", absent},
		// Hashing.
		{`md5("hello")`, "5d41402abc4b2a76b9719d911017c592"},
		{`sha256("hello")`, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"},
		// Case-insensitive function names.
		{"TOUPPER(\"a\")", "A"},
		{`isPresent(s)`, "1"},
	})
}

func TestQueryTimeFunctions(t *testing.T) {
	x := tc{
		query: "fields queryStartTime() as s, queryEndTime() as e, queryTimeRange() as r",
		msgs:  []string{"a"},
		opts:  Options{Start: base, End: base + 3_599_999},
		want:  []string{"s=1705314600000|e=1705318199999|r=3599999"},
	}
	x.run(t)
}

func TestStructures(t *testing.T) {
	runCases(t, []tc{
		{name: "map access with dots, brackets and backticks",
			query: "fields jsonParse(@message) as j | fields j.status_code as a, j.users[1].action as b, j.`user.id` as c",
			msgs:  []string{`{"status_code":200,"users":[{"action":"Get"},{"action":"PutData"}],"user.id":"123"}`},
			want:  []string{`j={"status_code":200,"users":[{"action":"Get"},{"action":"PutData"}],"user.id":"123"}|a=200|b=PutData|c=123`}},
		{name: "filter on a map",
			query: `fields jsonParse(@message) as json_message | filter json_message.users[1].action = "PutData" | display json_message.status_code`,
			msgs:  []string{`{"status_code":200,"users":[{"action":"Get"},{"action":"PutData"}]}`, `{"status_code":500,"users":[]}`},
			want:  []string{"json_message.status_code=200"}},
		{name: "stats by a map key",
			query: "fields jsonParse(@message) as json_message | stats count() as n by json_message.status_code",
			msgs:  []string{`{"status_code":200}`, `{"status_code":200}`, `{"status_code":404}`},
			want:  []string{"json_message.status_code=200|n=2", "json_message.status_code=404|n=1"}},
		{name: "comparing a map is false",
			query: `fields jsonParse(@message) as j | filter j = "x" or j != "x" | fields @message`,
			msgs:  []string{`{"a":1}`},
			want:  []string{}},
	})
}

func TestFields(t *testing.T) {
	runCases(t, []tc{
		{name: "system fields",
			query:  "fields @timestamp, @ingestionTime, @logStream, @log, @message",
			events: []ev{{msg: "hi", group: "/app/web", stream: "i-1"}},
			want:   []string{"@timestamp=2024-01-15 10:30:00.000|@ingestionTime=2024-01-15 10:30:00.500|@logStream=i-1|@log=123456789012:/app/web|@message=hi"}},
		{name: "@ptr as a field",
			query: "fields @ptr", msgs: []string{"a"}, ptr: true,
			want: []string{"@ptr=/aws/lambda/fn/s1/0"}},
		{name: "JSON is flattened: nested objects and arrays",
			query: `filter requestParameters.instancesSet.items.0.instanceId="i-abcde123" | fields userIdentity.type, responseElements.instancesSet.items.0.currentState.code, eventName`,
			msgs:  []string{`{"userIdentity":{"type":"IAMUser"},"eventName":"StartInstances","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-abcde123"}]}},"responseElements":{"instancesSet":{"items":[{"instanceId":"i-abcde123","currentState":{"code":0,"name":"pending"}}]}}}`, `{"eventName":"Other"}`},
			want:  []string{"userIdentity.type=IAMUser|responseElements.instancesSet.items.0.currentState.code=0|eventName=StartInstances"}},
		{name: "JSON values: escapes decoded, numbers as written, booleans as 1 and 0, null absent",
			query: "fields s, n, b, f, z",
			msgs:  []string{`{"s":"a\"b\u00e9","n":1.50,"b":true,"f":false,"z":null}`},
			want:  []string{`s=a"bé|n=1.50|b=1|f=0`}},
		{name: "JSON keys starting with @ get another @",
			query: "fields `@@example.com`, `@example.com`", msgs: []string{`{"@example.com":"x"}`},
			want: []string{"@@example.com=x"}},
		{name: "only the first 200 JSON fields are extracted",
			query: "fields f0, f199, f200", msgs: []string{manyFields(201)},
			want: []string{"f0=0|f199=199"}},
		{name: "the first of duplicate keys wins",
			query: "fields a", msgs: []string{`{"a":1,"a":2}`},
			want: []string{"a=1"}},
		{name: "malformed JSON yields no fields",
			query: "fields a, b, @message", msgs: []string{`{"a":1,"b"}`},
			want: []string{`@message={"a":1,"b"}`}},
		{name: "empty objects and arrays are not fields",
			query: "fields a, b, c", msgs: []string{`{"a":{},"b":[],"c":[{}]}`},
			want: []string{""}},
		{name: "Lambda: the first JSON fragment of a log line",
			query: "fields msg, n", msgs: []string{lambdaLines[1]},
			want: []string{"msg=hello|n=3"}},
		{name: "no embedded JSON outside Lambda log groups",
			query: "fields msg", events: []ev{{msg: lambdaLines[1], group: "/app/web"}},
			want: []string{""}},
		{name: "Lambda platform lines",
			query: "fields @type, @requestId, @duration, @billedDuration, @memorySize, @maxMemoryUsed, @initDuration, @xrayTraceId, @xraySegmentId | sort @timestamp asc",
			msgs:  lambdaLines,
			want: []string{
				"@type=START|@requestId=8f5b-1",
				"",
				"@type=END|@requestId=8f5b-1",
				"@type=REPORT|@requestId=8f5b-1|@duration=102.25|@billedDuration=103|@memorySize=128000000|@maxMemoryUsed=70000000|@initDuration=150.30|@xrayTraceId=1-65a5-abc|@xraySegmentId=0aa1",
				"@type=START|@requestId=8f5b-2",
				"@type=END|@requestId=8f5b-2",
				"@type=REPORT|@requestId=8f5b-2|@duration=2000.50|@billedDuration=2001|@memorySize=128000000|@maxMemoryUsed=75000000",
				"@type=START|@requestId=j-3",
				"@type=REPORT|@requestId=j-3|@duration=12.5|@billedDuration=13|@memorySize=256000000|@maxMemoryUsed=90000000|@initDuration=88.1|@xrayTraceId=1-65a5-def|@xraySegmentId=5e1",
			}},
		{name: "the documented Lambda memory query",
			query: `filter @type = "REPORT" | stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB, min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB, avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB, max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB, provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB`,
			msgs:  lambdaLines,
			want:  []string{"provisonedMemoryMB=256|smallestMemoryRequestMB=70|avgMemoryUsedMB=78.33333333333333|maxMemoryUsedMB=90|overProvisionedMB=166"}},
		{name: "Lambda: slow invocations",
			query: `fields @requestId, @duration | filter @type = "REPORT" and @duration > 1000 | sort @timestamp desc | dedup @requestId | limit 20`,
			msgs:  lambdaLines,
			want:  []string{"@requestId=8f5b-2|@duration=2000.50"}},
		{name: "VPC flow log records",
			query: `filter isIpv4InSubnet(srcAddr, "192.0.2.0/24") | stats sum(bytes) as bytesTransferred by dstAddr | sort bytesTransferred desc | limit 15`,
			msgs: []string{
				"2 123456789010 eni-1235b8ca123456789 192.0.2.1 203.0.113.12 49761 3389 6 20 4249 1418530010 1418530070 ACCEPT OK",
				"2 123456789010 eni-1235b8ca123456789 192.0.2.2 203.0.113.13 49762 443 6 10 1000 1418530010 1418530070 ACCEPT OK",
				"2 123456789010 eni-1235b8ca123456789 192.0.2.3 203.0.113.12 49763 3389 6 2 100 1418530010 1418530070 REJECT OK",
				"2 123456789010 eni-1235b8ca123456789 198.51.100.1 203.0.113.12 49763 3389 6 2 100 1418530010 1418530070 REJECT OK",
				"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1418530010 1418530070 - NODATA",
			},
			want: []string{"dstAddr=203.0.113.12|bytesTransferred=4349", "dstAddr=203.0.113.13|bytesTransferred=1000"}},
		{name: "VPC: all the fields",
			query: "fields version, accountId, interfaceId, srcAddr, dstAddr, srcPort, dstPort, protocol, packets, bytes, startTime, endTime, action, logStatus",
			msgs:  []string{"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1418530010 1418530070 - NODATA"},
			want:  []string{"version=2|accountId=123456789010|interfaceId=eni-1235b8ca123456789|startTime=1418530010|endTime=1418530070|logStatus=NODATA"}},
	})
}

func manyFields(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"f` + itoa(i) + `":` + itoa(i))
	}
	b.WriteString("}")
	return b.String()
}

func itoa(i int) string { return formatNumber(float64(i)) }

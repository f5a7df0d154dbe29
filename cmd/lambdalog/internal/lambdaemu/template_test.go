package lambdaemu

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const samTemplateText = `
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Timeout: 10
    MemorySize: 256
    Environment:
      Variables:
        STAGE: dev
        SHARED: global
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ../../../../examples/hello
      Environment:
        Variables:
          SHARED: mine
          OTHER_FUNCTION: !Ref Other
          SELF: {Ref: HelloFunction}
          BUCKET: !Ref Bucket
          URL: !Sub "https://${Bucket}"
          PORT: 8080
      LoggingConfig:
        LogFormat: JSON
        ApplicationLogLevel: debug
        LogGroup: /custom/hello
      Tracing: Active
      Events:
        Root:
          Type: Api
          Properties: {Path: /hello, Method: get}
        Named:
          Type: Api
          Properties: {Path: '/hello/{name}', Method: GET}
  Other:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: other-fn
      CodeUri: /abs/other
      MemorySize: 512
      Events:
        Any:
          Type: HttpApi
        Queue:
          Type: SQS
          Properties: {Queue: arn}
  Bucket:
    Type: AWS::S3::Bucket
`

func TestParseTemplate(t *testing.T) {
	fns, err := ParseTemplate([]byte(samTemplateText), "/repo/cmd/lambdalog/internal/lambdaemu")
	if err != nil {
		t.Fatal(err)
	}
	if len(fns) != 2 {
		t.Fatalf("got %d functions", len(fns))
	}
	h, o := fns[0], fns[1]
	want := Function{
		Name: "HelloFunction", Handler: "bootstrap", Runtime: "provided.al2023", MemoryMB: 256, Timeout: 10 * time.Second,
		// A Ref to a function is its name; other intrinsic functions keep their text.
		Env: map[string]string{"STAGE": "dev", "SHARED": "mine", "OTHER_FUNCTION": "other-fn", "SELF": "HelloFunction",
			"BUCKET": "Bucket", "URL": "https://${Bucket}", "PORT": "8080"}, LogFormat: "JSON", ApplicationLogLevel: "debug",
		LogGroup: "/custom/hello", Tracing: true, Dir: "/repo/examples/hello",
		Routes: []Route{{Kind: "Api", Method: "GET", Path: "/hello/{name}"}, {Kind: "Api", Method: "GET", Path: "/hello"}},
	}
	if !reflect.DeepEqual(h.Function, want) || h.CodeDir != "/repo/examples/hello" {
		t.Errorf("got  %+v\nwant %+v", h.Function, want)
	}
	if o.Name != "other-fn" || o.MemoryMB != 512 || o.Timeout != 10*time.Second || o.CodeDir != "/abs/other" ||
		!reflect.DeepEqual(o.Routes, []Route{{Kind: "HttpApi", Method: "ANY", Path: "/{proxy+}"}}) {
		t.Errorf("other: %+v", o)
	}
}

// TestParseTemplateSchedulesAndWarnings: Schedule and ScheduleV2 events
// become schedules (named as SAM names the rule it makes, disabled by
// Enabled: false or State: DISABLED); event types dev does not run, and
// schedules it cannot read, are warnings naming the function and the event.
func TestParseTemplateSchedulesAndWarnings(t *testing.T) {
	text := `
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Events:
        Every:
          Type: Schedule
          Properties: {Schedule: rate(5 minutes), Input: '{"job":"sweep"}'}
        Nightly:
          Type: Schedule
          Properties: {Schedule: 'cron(0 2 * * ? *)', Name: nightly-rule, Enabled: false}
        Paused:
          Type: Schedule
          Properties: {Schedule: rate(1 hour), State: DISABLED}
        Local:
          Type: ScheduleV2
          Properties: {ScheduleExpression: 'cron(30 8 ? * MON-FRI *)', ScheduleExpressionTimezone: Europe/Paris, GroupName: team}
        Queue:
          Type: SQS
          Properties: {Queue: arn:aws:sqs:us-east-1:123456789012:q}
        Wrong:
          Type: Schedule
          Properties: {Schedule: rate(1 minutes)}
        Empty:
          Type: ScheduleV2
`
	fns, err := ParseTemplate([]byte(text), "/d")
	if err != nil {
		t.Fatal(err)
	}
	want := []Schedule{
		{Event: "Every", Name: "WorkerEvery", Expression: "rate(5 minutes)", Input: `{"job":"sweep"}`},
		{Event: "Local", V2: true, Name: "WorkerLocal", Group: "team", Expression: "cron(30 8 ? * MON-FRI *)", Timezone: "Europe/Paris"},
		{Event: "Nightly", Name: "nightly-rule", Expression: "cron(0 2 * * ? *)", Disabled: true},
		{Event: "Paused", Name: "WorkerPaused", Expression: "rate(1 hour)", Disabled: true},
	}
	if got := fns[0].Schedules; !reflect.DeepEqual(got, want) {
		t.Errorf("schedules:\n got %+v\nwant %+v", got, want)
	}
	wantWarnings := []string{
		"function Worker: event Empty (ScheduleV2) is not run: it has no ScheduleExpression",
		"function Worker: event Queue (SQS) is not run by lambdalog dev; invoke the function yourself, for example with lambdalog invoke Worker --event FILE",
		`function Worker: event Wrong (Schedule) is not run: schedule expression "rate(1 minutes)": rate unit "minutes": a value of 1 takes the singular minute`,
	}
	if !reflect.DeepEqual(fns[0].Warnings, wantWarnings) {
		t.Errorf("warnings:\n got %q\nwant %q", fns[0].Warnings, wantWarnings)
	}
}

func TestParseTemplateErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"not yaml", "Resources: [", "template: yaml:"},
		{"no functions", "Resources:\n  B:\n    Type: AWS::S3::Bucket\n", "no AWS::Serverless::Function resources"},
		{"no code", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: x}\n", "template: F: CodeUri is required"},
		{"s3 code", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: s3://b/k}\n", "only local directories"},
		{"bad memory", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ., MemorySize: 64}\n", "template: F: function F: memory size 64 MB out of range"},
		{"bad memory type", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ., MemorySize: lots}\n", "cannot unmarshal !!str `lots` into int"},
		{"bad runtime", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ., Runtime: python3.12}\n", `runtime "python3.12" not supported`},
		{"bad format", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ., LoggingConfig: {LogFormat: XML}}\n", `log format "XML"`},
		{"bad tracing", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: ., Tracing: Always}\n", `template: F: Tracing "Always": want Active or PassThrough`},
		{"list variable", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n      Environment: {Variables: {A: [1, 2]}}\n", "line 6: an environment variable's value must be a string or a Ref"},
		{"api without path", "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n      Events: {E: {Type: Api}}\n", "event E: Path is required"},
	} {
		_, err := ParseTemplate([]byte(tc.text), "/d")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func FuzzParseTemplate(f *testing.F) {
	f.Add([]byte(samTemplateText))
	f.Add([]byte("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {CodeUri: .}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fns, err := ParseTemplate(data, "/d")
		if err == nil && len(fns) == 0 {
			t.Fatal("no error and no functions")
		}
	})
}

func TestBuildAndRunFromTemplate(t *testing.T) {
	bin(t, "hello")
	fns, err := ParseTemplate([]byte(samTemplateText), ".")
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := Build(context.Background(), fns[0].CodeDir, filepath.Join(t.TempDir(), "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	fn := fns[0].Function
	fn.Command = cmd
	emu, st := newTestEmulator(t, fn)
	out := invoke(t, emu, "HelloFunction", `{"httpMethod":"GET","path":"/hello/sam","pathParameters":{"name":"sam"}}`)
	if !strings.Contains(string(out.Payload), `hello sam!`) {
		t.Fatalf("payload %s", out.Payload)
	}
	msgs := messages(t, st, "/custom/hello", out.LogStream)
	// JSON log format: platform records instead of START/END/REPORT lines.
	if !strings.Contains(msgs[0], `"type":"platform.initStart"`) || !strings.Contains(msgs[1], `"type":"platform.start"`) ||
		!strings.Contains(msgs[len(msgs)-1], `"type":"platform.report"`) || !strings.Contains(msgs[len(msgs)-1], `"initDurationMs":`) ||
		!strings.Contains(msgs[len(msgs)-1], `"tracing":{"spanId":`) {
		t.Errorf("JSON framing:\n%s", strings.Join(msgs, "\n"))
	}
	if _, err := Build(context.Background(), t.TempDir(), filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "no Go files and no executable bootstrap") {
		t.Errorf("empty code dir: %v", err)
	}
}

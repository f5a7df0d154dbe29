package logsapi

import (
	"bytes"
	"encoding/json"
	"testing"
)

// reference is what encoding/json produces for a PutLogEvents body.
type reference struct {
	LogGroupName  *string
	LogStreamName *string
	SequenceToken *string
	LogEvents     []struct {
		Timestamp *int64
		Message   *string
	}
}

func equivalent(t *testing.T, body []byte) {
	var ref reference
	refErr := json.Unmarshal(body, &ref)
	var got putLogEventsInput
	err := decodePutLogEvents(body, &got)
	if (err != nil) != (refErr != nil) {
		t.Fatalf("body %q: decoder error %v, encoding/json error %v", body, err, refErr)
	}
	if err != nil {
		return
	}
	str := func(name string, o optString, p *string) {
		if o.Set != (p != nil) || p != nil && o.Value != *p {
			t.Fatalf("body %q: %s = %+v, encoding/json %v", body, name, o, p)
		}
	}
	str("logGroupName", got.LogGroupName, ref.LogGroupName)
	str("logStreamName", got.LogStreamName, ref.LogStreamName)
	str("sequenceToken", got.SequenceToken, ref.SequenceToken)
	if (got.LogEvents == nil) != (ref.LogEvents == nil) || len(got.LogEvents) != len(ref.LogEvents) {
		t.Fatalf("body %q: %d events (nil %v), encoding/json %d (nil %v)", body, len(got.LogEvents), got.LogEvents == nil, len(ref.LogEvents), ref.LogEvents == nil)
	}
	for i, r := range ref.LogEvents {
		g := got.LogEvents[i]
		if g.HasTimestamp != (r.Timestamp != nil) || r.Timestamp != nil && g.Timestamp != *r.Timestamp {
			t.Fatalf("body %q: event %d timestamp %+v, encoding/json %v", body, i, g, r.Timestamp)
		}
		if g.HasMessage != (r.Message != nil) || r.Message != nil && !bytes.Equal(g.Message, []byte(*r.Message)) {
			t.Fatalf("body %q: event %d message %q, encoding/json %q", body, i, g.Message, *r.Message)
		}
	}
}

var putSeeds = []string{
	`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"hello"}]}`,
	`{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1700000000000,"message":"a \"q\" \\ \/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800 x"},{"timestamp":-5,"message":"é"}],"sequenceToken":"1","entity":{"keyAttributes":{"a":"b"},"attributes":{}}}`,
	`  {"LOGGROUPNAME":"g", "logEvents" : [ null, {"message":null,"timestamp":null} ] , "extra":[1,2.5e3,true,false,null,{"a":[]}]}  `,
	`null`,
	`{"logEvents":[]}`,
	`{"logEvents":null}`,
	`{"logEvents":[{"timestamp":1.5}]}`,
	`{"logEvents":[{"timestamp":99999999999999999999}]}`,
	`{"logEvents":[{"timestamp":-9223372036854775808,"message":"min"}]}`,
	`{"logGroupName":"a\u0000b"}`,
	"{\"logGroupName\":\"\xff\xfe\"}",
	`{"logEvents":[{"message":"x"}],"logEvents":[{"timestamp":2}]}`,
	`[1]`,
	`{"a":1,}`,
	`{"logGroupName":"g"} x`,
	`{"logEvents":[{"timestamp":01}]}`,
}

func TestDecodePutLogEventsMatchesEncodingJSON(t *testing.T) {
	for _, s := range putSeeds {
		equivalent(t, []byte(s))
	}
}

func FuzzDecodePutLogEvents(f *testing.F) {
	for _, s := range putSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { equivalent(t, body) })
}

package subscriptions

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
)

// maxPayload is Lambda's limit on the payload of an asynchronous invocation.
const maxPayload = 1 << 20

// message is the document a delivery carries, gzipped and base64-encoded
// in the event's awslogs.data.
type message struct {
	MessageType         string     `json:"messageType"`
	Owner               string     `json:"owner"`
	LogGroup            string     `json:"logGroup"`
	LogStream           string     `json:"logStream"`
	SubscriptionFilters []string   `json:"subscriptionFilters"`
	LogEvents           []logEvent `json:"logEvents"`
}

type logEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// payload is one invocation's event and how many log events it holds.
type payload struct {
	event  []byte
	events int
}

// encodeBatch returns the payloads that deliver events with m's other
// fields: one, or more when one would exceed maxPayload. An event too
// large for a payload of its own is left out and reported in the error.
func encodeBatch(m *message, events []logEvent) ([]payload, error) {
	p, err := encode(m, events)
	switch {
	case err != nil:
		return nil, err
	case len(p) <= maxPayload:
		return []payload{{p, len(events)}}, nil
	case len(events) == 1:
		return nil, fmt.Errorf("event %s makes a payload of %d bytes, more than the %d bytes of an asynchronous invocation",
			events[0].ID, len(p), maxPayload)
	}
	half := len(events) / 2
	first, err1 := encodeBatch(m, events[:half])
	second, err2 := encodeBatch(m, events[half:])
	return append(first, second...), errors.Join(err1, err2)
}

// encode returns the event {"awslogs":{"data":"..."}} delivering events.
func encode(m *message, events []logEvent) ([]byte, error) {
	m.LogEvents = events
	var doc bytes.Buffer
	enc := json.NewEncoder(&doc)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("encode a subscription delivery: %w", err)
	}
	var out bytes.Buffer
	out.WriteString(`{"awslogs":{"data":"`)
	b64 := base64.NewEncoder(base64.StdEncoding, &out)
	zw := gzip.NewWriter(b64)
	if _, err := zw.Write(bytes.TrimSuffix(doc.Bytes(), []byte("\n"))); err != nil {
		return nil, fmt.Errorf("compress a subscription delivery: %w", err)
	}
	if err := errors.Join(zw.Close(), b64.Close()); err != nil {
		return nil, fmt.Errorf("compress a subscription delivery: %w", err)
	}
	out.WriteString(`"}}`)
	return out.Bytes(), nil
}

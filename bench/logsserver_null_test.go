package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// startNull runs the client's ceiling reference in this process: a server
// that reads each PutLogEvents body and answers {}, and answers GetLogEvents
// with one pre-encoded page of logsBatchSize events, following tokens "f1",
// "f2", ... to the end of a logsCorpusPerStream-event stream. It decodes,
// stores and searches nothing, so the time is the client's own work (and
// the HTTP exchange); it is no filter reference.
func startNull(b *testing.B) *logsServer {
	b.Helper()
	page := make([]map[string]any, logsBatchSize)
	for i := range page {
		page[i] = map[string]any{"timestamp": int64(i), "message": logsMessage(0, i), "ingestionTime": int64(i)}
	}
	events, err := json.Marshal(page)
	if err != nil {
		b.Fatal(err)
	}
	pages := logsCorpusPerStream / logsBatchSize
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if r.Header.Get("X-Amz-Target") != "Logs_20140328.GetLogEvents" {
			// PutLogEvents, CreateLogGroup, CreateLogStream.
			io.Copy(io.Discard, r.Body)
			w.Write([]byte("{}"))
			return
		}
		var req struct {
			NextToken string `json:"nextToken"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(req.NextToken, "f"))
		body := []byte("[]")
		if n < pages {
			body = events
			n++
		}
		fmt.Fprintf(w, `{"events":%s,"nextForwardToken":"f%d","nextBackwardToken":"b%d"}`, body, n, n)
	}))
	b.Cleanup(srv.Close)
	return &logsServer{name: "null", url: srv.URL}
}

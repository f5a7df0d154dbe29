package lambdaemu

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	lambdafacts "github.com/lambdalog/lambdalog/internal/invocation" // lambdaemu has its own invocation type
)

// runtimeVersion is the runtime version reported in INIT_START.
const (
	runtimeVersion    = "provided:al2023.v100"
	runtimeVersionARN = "arn:aws:lambda:%s::runtime:0000000000000000000000000000000000000000000000000000000000000000"
)

// report is what the REPORT line (or platform.report record) describes.
type report struct {
	requestID string
	duration  time.Duration
	init      time.Duration // 0 unless this was the environment's first invocation
	memoryMB  int
	maxUsedMB int
	status    status
	errorType string
	traceID   string // the trace header, set when traced
	segmentID string
	sampled   bool
}

// framer renders Lambda's platform log lines for one function's log format.
type framer struct {
	json      bool
	systemLvl int
	region    string
	name      string
}

func newFramer(f *Function, region string) framer {
	return framer{json: f.LogFormat == "JSON", systemLvl: logLevels[f.SystemLogLevel], region: region, name: f.Name}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// billedMS rounds up to the millisecond, as Lambda bills.
func billedMS(d time.Duration) int64 { return int64(math.Ceil(float64(d) / float64(time.Millisecond))) }

// record renders a JSON platform record, or "" when the system log level
// filters it out.
func (f framer) record(t time.Time, typ string, level int, rec map[string]any) string {
	if level < f.systemLvl {
		return ""
	}
	b, _ := json.Marshal(struct {
		Time   string         `json:"time"`
		Type   string         `json:"type"`
		Record map[string]any `json:"record"`
	}{t.UTC().Format("2006-01-02T15:04:05.000Z"), typ, rec})
	return string(b)
}

func (f framer) initStart(t time.Time) string {
	arn := fmt.Sprintf(runtimeVersionARN, f.region)
	if f.json {
		return f.record(t, "platform.initStart", logLevels["INFO"], map[string]any{
			"initializationType": "on-demand", "phase": "init", "runtimeVersion": runtimeVersion,
			"runtimeVersionArn": arn, "functionName": f.name, "functionVersion": "$LATEST",
		})
	}
	return "INIT_START Runtime Version: " + runtimeVersion + "\tRuntime Version ARN: " + arn + "\n"
}

// initReport is logged when an init fails: phase is "init" (the
// environment's init phase) or "invoke" (the init retried during an
// invocation); st is statusError (with errorType) or statusTimeout.
func (f framer) initReport(t time.Time, d time.Duration, phase string, st status, errorType string) string {
	if f.json {
		rec := map[string]any{
			"initializationType": "on-demand", "phase": phase, "status": st.String(),
			"metrics": map[string]any{"durationMs": ms(d)},
		}
		if errorType != "" {
			rec["errorType"] = errorType
		}
		return f.record(t, "platform.initReport", logLevels["ERROR"], rec)
	}
	line := fmt.Sprintf("INIT_REPORT Init Duration: %.2f ms\tPhase: %s\tStatus: %s", ms(d), phase, st)
	if errorType != "" {
		line += "\tError Type: " + errorType
	}
	return line + "\n"
}

func (f framer) start(t time.Time, id string) string {
	if f.json {
		return f.record(t, "platform.start", logLevels["INFO"], map[string]any{"requestId": id, "version": "$LATEST"})
	}
	return "START RequestId: " + id + " Version: $LATEST\n"
}

func (f framer) end(id string) string {
	if f.json {
		return "" // JSON format has no END record.
	}
	return "END RequestId: " + id + "\n"
}

// timeout is the line Lambda logs when an invocation times out.
func (f framer) timeout(t time.Time, id string, limit time.Duration) string {
	msg := fmt.Sprintf("Task timed out after %.2f seconds", limit.Seconds())
	if f.json {
		return f.record(t, "platform.runtimeDone", logLevels["ERROR"], map[string]any{"requestId": id, "status": statusTimeout.String(), "errorType": "Sandbox.Timedout", "message": msg})
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z") + " " + id + " " + msg + "\n"
}

// exitError is logged when the runtime process dies during an invocation.
func (f framer) exitError(t time.Time, id, msg, errorType string) []string {
	if f.json {
		return []string{f.record(t, "platform.runtimeDone", logLevels["ERROR"], map[string]any{"requestId": id, "status": statusError.String(), "errorType": errorType, "message": msg})}
	}
	return []string{"RequestId: " + id + " Error: " + msg + "\n", errorType + "\n"}
}

func (f framer) report(t time.Time, r report) string {
	billed := billedMS(r.duration + r.init)
	if f.json {
		m := map[string]any{"durationMs": ms(r.duration), "billedDurationMs": billed, "memorySizeMB": r.memoryMB, "maxMemoryUsedMB": r.maxUsedMB}
		if r.init > 0 {
			m["initDurationMs"] = ms(r.init)
		}
		rec := map[string]any{"requestId": r.requestID, "metrics": m, "status": r.status.String()}
		if r.errorType != "" {
			rec["errorType"] = r.errorType
		}
		if r.traceID != "" {
			rec["tracing"] = map[string]any{"spanId": r.segmentID, "type": "X-Amzn-Trace-Id", "value": r.traceID}
		}
		lvl := logLevels["INFO"]
		if r.status != statusSuccess {
			lvl = logLevels["ERROR"]
		}
		return f.record(t, "platform.report", lvl, rec)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		r.requestID, ms(r.duration), billed, r.memoryMB, r.maxUsedMB)
	if r.init > 0 {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", ms(r.init))
	}
	switch r.status {
	case statusTimeout:
		b.WriteString("Status: timeout\t")
	case statusError:
		b.WriteString("Status: error\tError Type: " + r.errorType + "\t")
	}
	if r.traceID != "" {
		root := cmp.Or(lambdafacts.ParseTraceHeader(r.traceID).Root, r.traceID)
		fmt.Fprintf(&b, "\nXRAY TraceId: %s\tSegmentId: %s\tSampled: %t\t", root, r.segmentID, r.sampled)
	}
	b.WriteString("\n")
	return b.String()
}

// keepAppLine reports whether an application output line passes the
// function's ApplicationLogLevel: under JSON format, JSON lines with a
// "level" below it are dropped, as Lambda does.
func keepAppLine(fn *Function, line string) bool {
	if fn.LogFormat != "JSON" || !strings.HasPrefix(line, "{") {
		return true
	}
	var v struct {
		Level string `json:"level"`
	}
	if json.Unmarshal([]byte(line), &v) != nil || v.Level == "" {
		return true
	}
	lvl, ok := logLevels[strings.ToUpper(v.Level)]
	if !ok {
		if strings.EqualFold(v.Level, "WARNING") {
			lvl = logLevels["WARN"]
		} else {
			return true
		}
	}
	return lvl >= logLevels[fn.ApplicationLogLevel]
}

package console

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/lambdaemu"
)

// maxInvokePayload is Lambda's limit on a synchronous invocation's event.
const maxInvokePayload = 6 << 20

// FunctionsPage is the page of the functions that `lambdalog dev` runs: each
// function's configuration and recent invocations, and a form that invokes
// it with an event.
func FunctionsPage(emu *lambdaemu.Emulator) Page {
	f := functionsPage{emu}
	return Page{Name: "functions", Title: "Functions", Routes: map[string]Endpoint{
		"GET functions":                    f.list,
		"GET functions/{name}/invocations": f.invocations,
		"POST functions/{name}/invoke":     f.invoke,
	}}
}

type functionsPage struct{ emu *lambdaemu.Emulator }

type functionOut struct {
	Name         string            `json:"name"`
	Runtime      string            `json:"runtime"`
	Handler      string            `json:"handler"`
	MemoryMB     int               `json:"memoryMB"`
	TimeoutMs    int64             `json:"timeoutMs"`
	LogGroup     string            `json:"logGroup"`
	LogFormat    string            `json:"logFormat"`
	Tracing      bool              `json:"tracing"`
	Routes       []lambdaemu.Route `json:"routes"`
	Environments int               `json:"environments"`
	// Invocations, Errors and ColdStarts count the recent invocations
	// (at most 100); LastInvoked is the start of the newest one.
	Invocations int   `json:"invocations"`
	Errors      int   `json:"errors"`
	ColdStarts  int   `json:"coldStarts"`
	LastInvoked int64 `json:"lastInvoked,omitempty"`
}

func (f functionsPage) list(*Request) (any, error) {
	out := []functionOut{}
	for _, fn := range f.emu.Functions() {
		o := functionOut{Name: fn.Name, Runtime: fn.Runtime, Handler: fn.Handler, MemoryMB: fn.MemoryMB,
			TimeoutMs: fn.Timeout.Milliseconds(), LogGroup: fn.LogGroup, LogFormat: fn.LogFormat, Tracing: fn.Tracing,
			Routes: fn.Routes, Environments: f.emu.Environments(fn.Name)}
		if o.Routes == nil {
			o.Routes = []lambdaemu.Route{}
		}
		invs := f.emu.Invocations(fn.Name)
		o.Invocations = len(invs)
		for _, inv := range invs {
			if inv.ErrorType != "" {
				o.Errors++
			}
			if inv.InitDuration > 0 {
				o.ColdStarts++
			}
		}
		if len(invs) > 0 {
			o.LastInvoked = invs[0].Start.UnixMilli()
		}
		out = append(out, o)
	}
	return out, nil
}

type invocationOut struct {
	RequestID       string  `json:"requestId"`
	Start           int64   `json:"start"`
	DurationMs      float64 `json:"durationMs"`
	InitDurationMs  float64 `json:"initDurationMs,omitempty"`
	MemoryMB        int     `json:"memoryMB"`
	MaxMemoryUsedMB int     `json:"maxMemoryUsedMB"`
	Status          string  `json:"status"`
	ErrorType       string  `json:"errorType,omitempty"`
	LogStream       string  `json:"logStream"`
	TraceID         string  `json:"traceId,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// function returns the named function, or a 404.
func (f functionsPage) function(r *Request) (lambdaemu.Function, error) {
	name := r.PathValue("name")
	fns := f.emu.Functions()
	if i := slices.IndexFunc(fns, func(fn lambdaemu.Function) bool { return fn.Name == name }); i >= 0 {
		return fns[i], nil
	}
	return lambdaemu.Function{}, &Error{Status: http.StatusNotFound, Message: "Function not found: " + name}
}

func (f functionsPage) invocations(r *Request) (any, error) {
	fn, err := f.function(r)
	if err != nil {
		return nil, err
	}
	out := []invocationOut{}
	for _, inv := range f.emu.Invocations(fn.Name) {
		out = append(out, invocationOut{RequestID: inv.RequestID, Start: inv.Start.UnixMilli(), DurationMs: ms(inv.Duration),
			InitDurationMs: ms(inv.InitDuration), MemoryMB: inv.MemoryMB, MaxMemoryUsedMB: inv.MaxMemoryUsedMB,
			Status: inv.Status, ErrorType: inv.ErrorType, LogStream: inv.LogStream, TraceID: inv.TraceID})
	}
	return out, nil
}

// invoke runs the function with the request body as its event and answers
// what the Invoke API would, with the invocation's log.
func (f functionsPage) invoke(r *Request) (any, error) {
	fn, err := f.function(r)
	if err != nil {
		return nil, err
	}
	payload, err := r.body(maxInvokePayload)
	if err != nil {
		return nil, err
	}
	if !json.Valid(payload) {
		return nil, badRequest("Could not parse request body into json: the event must be a JSON document.")
	}
	start := time.Now()
	out, err := f.emu.Invoke(r.Context(), fn.Name, lambdaemu.InvokeInput{Payload: payload})
	if err != nil {
		return nil, err
	}
	return map[string]any{"requestId": out.RequestID, "payload": string(out.Payload), "errorType": out.ErrorType,
		"log": out.Log, "logGroup": fn.LogGroup, "logStream": out.LogStream, "elapsedMs": ms(time.Since(start))}, nil
}

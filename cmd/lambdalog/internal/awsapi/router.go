package awsapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/lambdalog/lambdalog/internal/jsonstr"
)

// API is one emulated AWS API, served by a Router.
type API interface {
	// Spec describes the API. The Router reads it once, at registration.
	Spec() Spec
	// Match reports whether r is a request for this API, from its method, URL
	// and headers; it must not read the body.
	Match(r *http.Request) bool
	// Serve answers an authenticated request whose body has been read.
	Serve(w http.ResponseWriter, req *Request)
	// WriteError writes e as the API's wire protocol writes errors.
	WriteError(w http.ResponseWriter, req *Request, e *Error)
}

// Spec describes an API.
type Spec struct {
	// Name names the API in messages, for example "CloudWatch Logs".
	Name string
	// SigningName is the service a SigV4 credential scope must name, for
	// example "logs".
	SigningName string
	// MaxBody is the largest request body the API accepts, in bytes.
	MaxBody int64
}

// Request is an API request as the Router hands it to an API.
type Request struct {
	*http.Request
	// ID is the request id, also sent in the x-amzn-RequestId header.
	ID string
	// Region is the SigV4 credential scope's region, or the Router's
	// DefaultRegion for an unsigned request.
	Region string
	// Payload is the whole request body. It is valid until Serve returns.
	Payload []byte
}

// Error is an AWS error before an API renders it in its protocol.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is the error shape's name, for example "InvalidSignatureException".
	Code string
	// Message is the human-readable message.
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// The codes of the Errors the Router raises itself.
const (
	CodeUnrecognizedClient  = "UnrecognizedClientException"
	CodeIncompleteSignature = "IncompleteSignatureException"
	CodeInvalidSignature    = "InvalidSignatureException"
	CodeTooLarge            = "RequestEntityTooLargeException"
	CodeSerialization       = "SerializationException"
	CodeThrottling          = "ThrottlingException"
	CodeInternal            = "InternalFailure"
	CodeUnknownOperation    = "UnknownOperationException"
)

// Credentials are the one access key clients must sign requests with.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
}

// Options configure a Router. The zero value accepts unsigned requests.
type Options struct {
	// Credentials, when set, make the Router verify every request's SigV4
	// signature against them.
	Credentials *Credentials
	// DefaultRegion is the region of unsigned requests; default us-east-1.
	DefaultRegion string
	// MaxInFlightBytes bounds the request bytes being read and served at
	// once; default 256 MiB.
	MaxInFlightBytes int64
	// BodyTimeout bounds the time to read a request body, and to wait for
	// room under MaxInFlightBytes; default 30 s.
	BodyTimeout time.Duration
	// Now is the clock for signature dates; nil means time.Now.
	Now func() time.Time
	// Logger receives panics and server-side failures; nil means slog.Default().
	Logger *slog.Logger
}

// Router serves the registered APIs. It is an http.Handler.
type Router struct {
	opts     Options
	apis     []API
	specs    []Spec
	inFlight *budget
	bufs     sync.Pool // *bytes.Buffer
}

// NewRouter returns a Router serving apis.
func NewRouter(opts Options, apis ...API) *Router {
	if opts.DefaultRegion == "" {
		opts.DefaultRegion = "us-east-1"
	}
	if opts.MaxInFlightBytes <= 0 {
		opts.MaxInFlightBytes = 256 << 20
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	rt := &Router{opts: opts, inFlight: newBudget(opts.MaxInFlightBytes)}
	rt.bufs.New = func() any { return new(bytes.Buffer) }
	for _, a := range apis {
		rt.Register(a)
	}
	return rt
}

// Register adds an API, tried after those registered before it. Register
// every API before the Router serves its first request.
func (rt *Router) Register(api API) {
	rt.apis = append(rt.apis, api)
	rt.specs = append(rt.specs, api.Spec())
}

// APIs returns the names of the registered APIs, in order.
func (rt *Router) APIs() []string {
	names := make([]string, len(rt.specs))
	for i, s := range rt.specs {
		names[i] = s.Name
	}
	return names
}

// ServeHTTP implements http.Handler.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &Request{Request: r, ID: NewID(), Region: rt.opts.DefaultRegion}
	w.Header().Set("x-amzn-RequestId", req.ID)
	i := rt.match(r)
	if i < 0 {
		rt.writeUnknown(w, req)
		return
	}
	api, spec := rt.apis[i], rt.specs[i]
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			rt.opts.Logger.Error("awsapi: panic serving request", "api", spec.Name, "requestId", req.ID, "panic", p, "stack", string(debug.Stack()))
			api.WriteError(w, req, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "The service cannot complete the request."})
		}
	}()
	release, e := rt.read(w, req, spec)
	defer release()
	if e != nil {
		api.WriteError(w, req, e)
		return
	}
	api.Serve(w, req)
}

func (rt *Router) match(r *http.Request) int {
	for i, a := range rt.apis {
		if a.Match(r) {
			return i
		}
	}
	return -1
}

// read authenticates req and reads its body into req.Payload. The returned
// function releases what read holds; it is never nil.
func (rt *Router) read(w http.ResponseWriter, req *Request, spec Spec) (release func(), e *Error) {
	release = func() {}
	r := req.Request
	auth, e := rt.checkHeaders(r, spec)
	if e == nil && r.ContentLength > spec.MaxBody {
		e = tooLarge(spec)
	}
	if e != nil {
		abandonBody(w)
		return release, e
	}
	if auth != nil {
		req.Region = auth.region
	}
	ctx, cancel := context.WithTimeout(r.Context(), rt.opts.BodyTimeout)
	defer cancel()
	body := &budgetReader{r: http.MaxBytesReader(w, r.Body, spec.MaxBody), b: rt.inFlight, ctx: ctx}
	buf := rt.bufs.Get().(*bytes.Buffer)
	release = func() {
		rt.inFlight.release(body.held)
		buf.Reset()
		if buf.Cap() <= 16<<20 {
			rt.bufs.Put(buf)
		}
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(rt.opts.BodyTimeout)) // not every ResponseWriter supports deadlines
	_, err := buf.ReadFrom(body)
	if err != nil {
		abandonBody(w)
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return release, tooLarge(spec)
		}
		if errors.Is(err, errNoRoom) {
			return release, &Error{Status: http.StatusBadRequest, Code: CodeThrottling,
				Message: fmt.Sprintf("Rate exceeded: the server is already holding %d MiB of request bodies; retry later.", rt.opts.MaxInFlightBytes>>20)}
		}
		return release, &Error{Status: http.StatusBadRequest, Code: CodeSerialization, Message: "Cannot read request body: " + err.Error()}
	}
	_ = rc.SetReadDeadline(time.Time{}) // the handler may take its time; the connection is idle
	req.Payload = buf.Bytes()
	if auth != nil && rt.opts.Credentials != nil {
		if e := rt.verifySignature(r, req.Payload, auth); e != nil {
			return release, e
		}
	}
	return release, nil
}

// abandonBody makes the server close the connection after the answer
// instead of reading what is left of the body: the read deadline has passed,
// so net/http's drain of the body for keep-alive returns at once.
func abandonBody(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

func tooLarge(spec Spec) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
		Message: fmt.Sprintf("Request body too large: exceeds limit of %d bytes", spec.MaxBody)}
}

// WriteJSONError writes e as AWS's JSON protocols do: the shape name in
// X-Amzn-ErrorType and the body {"__type":"<Code>","message":"..."}.
func WriteJSONError(w http.ResponseWriter, contentType string, e *Error) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(e.Status)
	b := make([]byte, 0, 32+len(e.Code)+len(e.Message))
	b = append(b, `{"__type":`...)
	b = jsonstr.Append(b, e.Code)
	b = append(b, `,"message":`...)
	b = jsonstr.Append(b, e.Message)
	b = append(b, '}')
	_, _ = w.Write(b)
}

// NewID returns a random version 4 UUID, the form of AWS's request ids and
// of the ids of resources such as Logs Insights queries.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

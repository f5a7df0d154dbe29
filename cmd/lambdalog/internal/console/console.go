package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/metricstore"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/queries"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/tracestore"
)

//go:embed static
var staticFS embed.FS

// Path prefixes of the console.
const (
	prefix       = "/console/"
	apiPrefix    = prefix + "api/"
	staticPrefix = prefix + "static/"
)

// Options configure a Console.
type Options struct {
	// Logs, Metrics and Queries are the stores the built-in pages read.
	Logs    *store.Store
	Metrics *metricstore.Store
	Queries *queries.Manager
	// Traces, when set, adds the pages of X-Ray traces.
	Traces *tracestore.Store
	// Region is the region the pages show first; default us-east-1.
	Region string
	// AccountID is the account of Logs Insights queries; default 123456789012.
	AccountID string
	// Credentials, when set, make every console request need HTTP Basic
	// authentication with the access key id as user name and the secret
	// access key as password.
	Credentials *awsapi.Credentials
	// Logger receives server-side failures; nil means slog.Default().
	Logger *slog.Logger
}

// Page is one page of the console: a script that renders it in the
// browser, static/pages/<Name>.js, and the JSON endpoints it reads.
type Page struct {
	// Name is the page's path under /console/ and names its script.
	Name string
	// Title is the page's entry in the navigation bar; a page without one
	// is reached from other pages only.
	Title string
	// Under names the page whose navigation entry a page without a Title
	// is shown under, e.g. logs for a group's page.
	Under string
	// Routes are the page's endpoints: a method and a path under
	// /console/api/, as http.ServeMux patterns write them ("GET groups",
	// "POST functions/{name}/invoke"), and the function answering them.
	Routes map[string]Endpoint
}

// Endpoint answers a JSON request: the value it returns is sent as JSON
// with status 200, an error as {"error": message} with the status of an
// *Error (500 for other errors, whose text is logged and not shown).
type Endpoint func(r *Request) (any, error)

// Request is a request to an Endpoint.
type Request struct {
	*http.Request
	// Region is the region the page asked for (the region parameter), or
	// the console's default.
	Region string
	// Query holds the URL's query parameters.
	Query url.Values
}

// Error is an error an Endpoint returns to the page.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Message is shown to the user.
	Message string
	// Detail, when set, is sent as the "detail" member, for the page to
	// show the error in place (the offsets of a syntax error).
	Detail any
}

func (e *Error) Error() string { return e.Message }

// badRequest returns a 400 Error.
func badRequest(format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// Console serves the web console. Register every page before it serves
// its first request.
type Console struct {
	opts   Options
	logger *slog.Logger
	pages  []Page
	files  map[string]staticFile // by path under static/

	once  sync.Once // builds mux and index from pages
	mux   *http.ServeMux
	index []byte
}

// staticFile is an embedded file and its ETag.
type staticFile struct {
	body []byte
	etag string
}

// New returns a Console with the built-in pages over opts' stores: log
// groups, a group's streams, events (search and live tail), Logs Insights,
// metrics and, with a trace store, traces.
func New(opts Options) *Console {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "123456789012"
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &Console{opts: opts, logger: opts.Logger, files: map[string]staticFile{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		c.files[strings.TrimPrefix(p, "static/")] = staticFile{body: b, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic("console: reading the embedded files: " + err.Error()) // they are compiled in
	}
	c.Register(c.logsPage())
	c.Register(c.groupPage())
	c.Register(c.eventsPage())
	c.Register(c.insightsPage())
	c.Register(c.metricsPage())
	if opts.Traces != nil {
		c.Register(c.tracesPages()...)
	}
	return c
}

// Register adds pages; each one's script must be embedded as
// static/pages/<Name>.js. Pages appear in the navigation bar in the order
// they are registered.
func (c *Console) Register(pages ...Page) {
	for _, p := range pages {
		if _, ok := c.files["pages/"+p.Name+".js"]; !ok {
			panic("console: page " + p.Name + " has no script static/pages/" + p.Name + ".js")
		}
		c.pages = append(c.pages, p)
	}
}

// Owns reports whether r is a request for the console rather than for an
// AWS API: its path is /console or under /console/ (no AWS API's path is),
// or it is a GET or HEAD of / without a query string, an X-Amz-Target header or
// a SigV4 Authorization header (every AWS client request carries at least one of
// them or is not a GET of /).
func Owns(r *http.Request) bool {
	p := r.URL.Path
	if p == "/console" || strings.HasPrefix(p, prefix) {
		return true
	}
	return p == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.RawQuery == "" &&
		r.Header.Get("X-Amz-Target") == "" && !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-")
}

// Handler returns the handler of an address shared with the AWS APIs:
// console requests (Owns) go to the console, all others to api.
func (c *Console) Handler(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Owns(r) {
			c.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// ServeHTTP serves a console request.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.once.Do(c.build)
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	if !c.authorized(w, r) {
		return
	}
	switch p := r.URL.Path; {
	case p == "/" || p == "/console":
		http.Redirect(w, r, prefix, http.StatusFound)
	case strings.HasPrefix(p, apiPrefix):
		if msg := crossSite(r); msg != "" {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": msg})
			return
		}
		h.Set("Cache-Control", "no-store")
		c.mux.ServeHTTP(w, r)
	case strings.HasPrefix(p, staticPrefix):
		c.serveStatic(w, r, strings.TrimPrefix(p, staticPrefix))
	default:
		c.serveIndex(w, r)
	}
}

// authorized checks the Host header and, with credentials, HTTP Basic
// authentication; it answers the request itself when they fail.
func (c *Console) authorized(w http.ResponseWriter, r *http.Request) bool {
	creds := c.opts.Credentials
	if creds == nil {
		// Without credentials the server listens on loopback only. A page of
		// another site whose name resolves to 127.0.0.1 (DNS rebinding)
		// would be same-origin with the console: its Host header gives it away.
		if !loopbackHost(r.Host) {
			http.Error(w, "lambdalog console: the Host header must name a loopback address (localhost, 127.0.0.1, [::1])", http.StatusMisdirectedRequest)
			return false
		}
		return true
	}
	user, pass, ok := r.BasicAuth()
	// Both comparisons run whatever the first one gives.
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(creds.AccessKeyID))
	passOK := subtle.ConstantTimeCompare([]byte(pass), []byte(creds.SecretAccessKey))
	if ok && userOK&passOK == 1 {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="lambdalog console: user name = access key id, password = secret access key", charset="UTF-8"`)
	http.Error(w, "lambdalog console: sign in with the server's access key id as user name and its secret access key as password", http.StatusUnauthorized)
	return false
}

// loopbackHost reports whether a Host header names localhost or a loopback
// address, with or without a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// crossSite returns why r, a request for JSON, is refused as coming from
// another site's page, or "" when it is not: the console's own pages send
// Sec-Fetch-Site: same-origin (browsers since 2020) or, before that, an
// Origin equal to the console's; a request with neither comes from a
// program, not a page.
func crossSite(r *http.Request) string {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		if site == "same-origin" || site == "none" {
			return ""
		}
		return "lambdalog console: requests from other sites' pages are refused (Sec-Fetch-Site: " + site + ")"
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return "lambdalog console: requests from other sites' pages are refused (Origin: " + origin + ")"
		}
	}
	return ""
}

// build makes the API mux and the index page from the registered pages.
func (c *Console) build() {
	c.mux = http.NewServeMux()
	type navEntry struct{ Name, Title string }
	var nav []navEntry
	names := make([]string, 0, len(c.pages))
	under := map[string]string{}
	for _, p := range c.pages {
		names = append(names, p.Name)
		if p.Under != "" {
			under[p.Name] = p.Under
		}
		if p.Title != "" {
			nav = append(nav, navEntry{p.Name, p.Title})
		}
		for pattern, ep := range p.Routes {
			method, rest, _ := strings.Cut(pattern, " ")
			c.mux.Handle(method+" "+apiPrefix+rest, c.endpoint(ep))
		}
	}
	c.mux.HandleFunc(apiPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such console endpoint: " + r.Method + " " + r.URL.Path})
	})
	config := map[string]any{"pages": names, "under": under, "region": c.opts.Region}
	tmpl := template.Must(template.New("index").Parse(string(c.files["index.html"].body)))
	var b strings.Builder
	if err := tmpl.Execute(&b, map[string]any{"Config": config, "Nav": nav}); err != nil {
		panic("console: index.html: " + err.Error()) // fixed template and data
	}
	c.index = []byte(b.String())
}

// endpoint adapts an Endpoint to http.Handler.
func (c *Console) endpoint(ep Endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		region := q.Get("region")
		if region == "" {
			region = c.opts.Region
		}
		v, err := ep(&Request{Request: r, Region: region, Query: q})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				e = storeError(err)
			}
			if e == nil {
				c.logger.Error("console: request failed", "path", r.URL.Path, "error", err)
				e = &Error{Status: http.StatusInternalServerError, Message: "internal error: see the server's log"}
			}
			writeJSON(w, e.Status, map[string]any{"error": e.Message, "detail": e.Detail})
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

// storeError turns the log store's not-found errors into 404s; it returns
// nil for other errors.
func storeError(err error) *Error {
	switch {
	case errors.Is(err, store.ErrGroupNotFound):
		return &Error{Status: http.StatusNotFound, Message: "The log group does not exist."}
	case errors.Is(err, store.ErrStreamNotFound):
		return &Error{Status: http.StatusNotFound, Message: "The log stream does not exist."}
	case errors.Is(err, context.Canceled):
		return &Error{Status: http.StatusServiceUnavailable, Message: "cancelled"}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"encoding the response failed"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// serveIndex serves the page shell for /console/<page>.
func (c *Console) serveIndex(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.Trim(strings.TrimPrefix(r.URL.Path, prefix), "/")
	if name != "" && !c.hasPage(name) {
		http.Error(w, "lambdalog console: no page "+strconv.Quote(name), http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// Scripts and styles come from the console itself only; uPlot sets
	// element styles through the CSSOM, which style-src does not restrict.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	_, _ = w.Write(c.index)
}

func (c *Console) hasPage(name string) bool {
	for _, p := range c.pages {
		if p.Name == name {
			return true
		}
	}
	return false
}

// contentTypes are the types of the embedded files.
var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".svg":  "image/svg+xml",
	"":      "text/plain; charset=utf-8",
}

// serveStatic serves an embedded file, revalidated by its ETag.
func (c *Console) serveStatic(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := c.files[name]
	if !ok || name == "index.html" {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	ct, ok := contentTypes[path.Ext(name)]
	if !ok {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

package httpadapter

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CORSConfig configures the CORS middleware.
type CORSConfig struct {
	// AllowOrigins lists the origins allowed to call the API, such as
	// "https://app.example.com"; "*" allows any origin.
	AllowOrigins []string
	// AllowMethods lists the methods a preflight allows; empty means GET,
	// HEAD, POST, PUT, PATCH and DELETE.
	AllowMethods []string
	// AllowHeaders lists the request headers a preflight allows; empty
	// means whatever the preflight asks for.
	AllowHeaders []string
	// ExposeHeaders lists response headers the browser may expose to scripts.
	ExposeHeaders []string
	// AllowCredentials lets browsers send cookies and credentials. With it,
	// "*" in AllowOrigins answers with the caller's origin, as the Fetch
	// standard requires.
	AllowCredentials bool
	// MaxAge is how long browsers may cache a preflight; 0 omits the header.
	MaxAge time.Duration
}

// CORS returns middleware that answers CORS preflight requests (OPTIONS with
// Origin and Access-Control-Request-Method) itself with 204, and adds the
// CORS response headers to requests from allowed origins. Requests from
// other origins get no CORS headers, so browsers block them.
func CORS(cfg CORSConfig) func(http.Handler) http.Handler {
	methods := cfg.AllowMethods
	if len(methods) == 0 {
		methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	}
	allowMethods := strings.Join(methods, ", ")
	allowHeaders := strings.Join(cfg.AllowHeaders, ", ")
	exposeHeaders := strings.Join(cfg.ExposeHeaders, ", ")
	maxAge := ""
	if cfg.MaxAge > 0 {
		maxAge = strconv.Itoa(int(cfg.MaxAge / time.Second))
	}
	anyOrigin := slices.Contains(cfg.AllowOrigins, "*")
	allowed := func(origin string) bool {
		if anyOrigin {
			return true
		}
		for _, o := range cfg.AllowOrigins {
			if strings.EqualFold(o, origin) {
				return true
			}
		}
		return false
	}

	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			origin := r.Header.Get("Origin")
			preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
			if !anyOrigin || cfg.AllowCredentials {
				h.Add("Vary", "Origin")
			}
			if origin == "" || !allowed(origin) {
				if preflight {
					w.WriteHeader(http.StatusNoContent)
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			if anyOrigin && !cfg.AllowCredentials {
				h.Set("Access-Control-Allow-Origin", "*")
			} else {
				h.Set("Access-Control-Allow-Origin", origin)
			}
			if cfg.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
			if !preflight {
				if exposeHeaders != "" {
					h.Set("Access-Control-Expose-Headers", exposeHeaders)
				}
				next.ServeHTTP(w, r)
				return
			}
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Methods", allowMethods)
			switch {
			case allowHeaders != "":
				h.Set("Access-Control-Allow-Headers", allowHeaders)
			case r.Header.Get("Access-Control-Request-Headers") != "":
				h.Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
			}
			if maxAge != "" {
				h.Set("Access-Control-Max-Age", maxAge)
			}
			w.WriteHeader(http.StatusNoContent)
		})
	}
}

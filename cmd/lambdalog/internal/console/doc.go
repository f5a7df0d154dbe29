// Package console is lambdalog's web console: pages that show the log
// groups, streams and events, Logs Insights, metrics and, under `lambdalog
// dev`, the functions and their invocations, served on the same address as
// the emulated AWS APIs.
//
// # Which requests are the console's
//
// Handler splits one address between the console and the AWS APIs (Owns):
// the console takes every request whose path is /console or starts with
// /console/, and a GET or HEAD of / that has no query string, no
// X-Amz-Target header and no SigV4 Authorization header, which it
// redirects to /console/. No AWS API has a path under /console/; the AWS
// clients send POST / (JSON 1.0 and 1.1), POST /service/... (CBOR) and
// REST paths (Lambda, X-Ray, OTLP), and a GET / of the query protocol
// carries ?Action=; so no AWS client request reaches the console, and
// every request that is not the console's goes to the APIs as before.
//
// Under /console/:
//
//	/console/<page>       the page shell (index.html) for each registered page
//	/console/static/...   the embedded files: app.js, app.css, pages/<page>.js,
//	                      insights-templates.json, vendor/uplot (uPlot 1.6.32, MIT)
//	/console/api/...      the JSON endpoints of the pages
//
// # Who may use it
//
// Without credentials (lambdalog only listens on loopback then), a request
// whose Host header does not name localhost or a loopback address is
// refused with 421, so that a web page whose name resolves to 127.0.0.1
// (DNS rebinding) cannot use the console. With credentials (`serve` on a
// non-loopback address), every console request needs HTTP Basic
// authentication with the access key id as user name and the secret access
// key as password, compared in constant time.
//
// The JSON endpoints send no CORS headers and refuse (403) a request that
// a browser marks as coming from another page than the console's own:
// Sec-Fetch-Site other than same-origin or none, or, from a browser that
// does not send it, an Origin other than the console's. A web page the
// user visits can therefore neither read their logs nor start queries or
// invocations. Pages are served with a Content-Security-Policy that allows
// the console's own scripts and styles only, and may not be framed.
//
// # Pages
//
// A Page is a script, static/pages/<name>.js, and the endpoints it reads,
// registered with Register: adding a page is that one file and one
// Register call with its routes. New registers the pages of the stores
// every server has (logs, group, events, insights, metrics); `lambdalog
// dev` registers FunctionsPage. The page shell lists the registered pages
// to the browser, which loads a page's script when it is shown; pages
// with a Title appear in the navigation bar.
//
// A page script is an ES module whose default export is {title,
// render(root, ctx)}; static/app.js holds what pages share (the DOM
// builder h, api for the endpoints, formatting, the event row with its
// JSON tree, uPlot charts). There is no build step: the files are served
// as written.
//
// # Reading data
//
// The endpoints read the stores through their Go interfaces, never through
// the AWS wire protocol. The events endpoint reads a page of a group's or
// stream's events newest first by merging reverse iterators of the
// streams (opening a stream only once the merge reaches its last event
// time), or oldest first after a cursor (live tail polls it once a
// second); a filter pattern is matched in the handler, within a time
// budget after which the answer says where to go on, so a rare pattern
// over a big group answers in pages, never by reading the group whole.
// Events written later with timestamps older than the newest one shown are
// not followed by live tail (as `aws logs tail --follow`).
package console

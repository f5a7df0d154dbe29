// Package xrayfilter parses and evaluates X-Ray filter expressions, the
// language of GetTraceSummaries' FilterExpression, over the traces of
// package tracestore.
//
// # Syntax
//
// An expression is terms joined by AND and OR (AND binding tighter; a term
// written right after another is joined by AND, as in "ok !partial
// duration < 3"), negated with ! or NOT, grouped with parentheses. AND,
// OR, NOT and the word operators are case-insensitive; keywords are not.
// A term is:
//
//   - a boolean keyword, alone (true when set), or compared with = or !=
//     to true or false: ok, error, fault, throttle, partial;
//   - a number keyword compared with =, !=, <, <=, > or >= to a number:
//     responsetime, duration (seconds), http.status;
//   - a string keyword compared with =, !=, CONTAINS, BEGINSWITH or
//     ENDSWITH to a string in double quotes (\" and \\ escape): http.url,
//     http.method, http.useragent, http.clientip, user;
//   - annotation.KEY alone (the annotation is set, and true if boolean), or
//     compared with any operator that applies to the value's type;
//   - service(S) { expr }: a segment of service S satisfies expr (without
//     braces: the trace passes through S; service() is any service);
//   - edge(S1, S2) { expr }: a call from S1 to S2 whose serving segment
//     satisfies expr.
//
// A service S is a name in quotes or id(name: "...", type: "...",
// account.id: "...") with any of the fields. service() and edge() do not
// nest. X-Ray's other keywords (rootcause, json, group, inferred, first,
// last, remote, root, index, coverage, message, availabilityzone,
// instance.id, resource.arn, name, type) are rejected with an Error naming
// them, as is anything else Parse does not know.
//
// # Semantics
//
// At the top level keywords read the trace's Summary: its flags (a
// segment or subsegment has error, fault or throttle; ok is none of them;
// partial), its ResponseTime and Duration, the HTTP fields, and any
// segment's user. Inside service() or edge() braces they read the one
// segment in scope: its own flags, its duration as responsetime and
// duration, its http object and user. annotation.KEY reads every segment
// and subsegment in scope. A comparison is true when some value in scope
// satisfies it; values of another type never do, and a missing value
// (no http.status, no user, no such annotation) satisfies nothing, != too:
// write !annotation.KEY for "not set".
package xrayfilter

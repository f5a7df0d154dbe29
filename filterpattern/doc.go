// Package filterpattern parses and evaluates CloudWatch Logs filter
// patterns, the language of FilterLogEvents, metric filters, subscription
// filters and Live Tail, as the AWS page "Filter pattern syntax for metric
// filters, subscription filters, filter log events, and Live Tail"
// describes it.
//
// Parse compiles a pattern once; Match (or MatchBytes, which does not copy)
// then tests events. A pattern is safe for concurrent use. Matching never
// backtracks: terms use substring search, regular expressions run on Go's
// RE2 engine, and JSON and space-delimited events are read by single-pass
// scanners, so the time to match is linear in the size of the event, and an
// event that does not match costs no allocation.
//
// # The language
//
// The first character of the pattern, after white space, decides its kind:
//
//   - { starts a JSON pattern: { $.level = "ERROR" || $.latency > 500 }.
//     Selectors start at $ and use .name (letters, digits, - and _) and
//     [index] steps. Operators are = != < > <= >=, and IS NULL, IS TRUE,
//     IS FALSE, NOT EXISTS; && binds tighter than ||, parentheses group.
//   - [ starts a space-delimited pattern: [ip, user, ..., status = 5*, bytes > 1000].
//   - % starts a regular expression, which must then be the whole pattern.
//   - Anything else is a list of terms: words and "quoted phrases", each
//     optionally prefixed with ? (or) or - (must not occur).
//
// An empty pattern, or one of white space only, matches every event.
// Matching is case-sensitive everywhere, as in AWS. Terms match anywhere in
// the event: ERROR matches "ERRORCODE".
//
// Values on the right of = and != may be numbers, words, "quoted strings",
// %regex% or *. A * at the start or end of a string value is a wildcard
// (*Event, Event*, *html*); a * in the middle is an ordinary character, as
// the documentation states for Ev*ent. A lone * matches any value. < > <=
// >= take numbers: an optional sign, digits with an optional fraction, and
// an optional exponent (10e-3, +1000, 55.5).
//
// Regular expressions use AWS's restricted dialect: letters, digits, the
// symbols _ # = @ / ; , - :, and the operators ^ $ ? [ ] { } | \ * + .,
// with the escapes \d \D \s \S \w \W, \xhh and escaped operators. Anything
// else, including parentheses, spaces and multi-byte characters, is
// rejected (write \x28 for "(" and \x20 for a space). A pattern may contain
// at most MaxRegexes regular expressions. A regular expression matches
// anywhere in the text it tests unless anchored with ^ or $; . matches any
// character including a newline.
//
// # Decisions where the documentation is silent or ambiguous
//
// Each decision names a case of the test table (internal/filtercases) that pins it.
//
//   - Terms: each ? starts a new alternative, and the terms after it, up to
//     the next ?, belong to it; terms before the first ? form an alternative
//     of their own. This is how the AWS CDK writes "any of these groups of
//     terms" (?"a" "b" ?"c"). A - term belongs to the alternative it is
//     in: ?ERROR ?WARN -DEBUG matches "ERROR DEBUG" but not "WARN DEBUG".
//   - Terms: unquoted terms may contain only letters, digits and _ (the
//     documented rule; AWS rejects err: and email@example.com with "Invalid
//     character(s) in term"). A space may follow - ("ERROR" - "Exiting").
//     In quoted phrases \" stands for " and \\ for \; other backslashes are
//     kept ("C:\temp").
//   - Terms: the empty phrase "" is rejected, as current AWS services do
//     ("Invalid character(s) in term '""'"), although the early
//     documentation said it matches everything; use the empty pattern.
//   - JSON: an event is tested only if, without surrounding white space, it
//     is enclosed in {} (or [] for $[0] selectors); any other event matches
//     no JSON pattern, not even NOT EXISTS ("plain text line"). The event
//     is read once for all the selectors of the pattern and only until all
//     are found, and it is checked only as far as it is read: malformed
//     input there makes the whole pattern false. The first of duplicate
//     keys wins ({"a": 1, "a": 2}). Key and string escapes are decoded
//     before comparing ("le\u0076el").
//   - JSON: a selector that names nothing, an object or an array makes
//     every comparison false, = and != alike ({$.users != 1} on an array, as
//     documented). For a value that exists, != is the negation of =.
//   - JSON: = and != with a number compare numerically when the value is a
//     JSON number (5e2 = 500) and as text when it is a string ("500" = 500);
//     < > <= >= hold only for JSON numbers. true, false and null compare as
//     their text ({ $.ThisFlag = true }); * matches any value except null
//     ({ $.SomeObject = * } is false; IS NULL tests null).
//   - JSON: IS TRUE and IS FALSE hold only for the JSON literals, not for
//     the strings "true" and "false". Keywords must be upper-case.
//   - JSON: unquoted values may contain letters, digits and _ - . * + : /
//     (kms.amazonaws.com, 123.123.*); others must be quoted, as documented
//     for @, $ and \.
//   - Space-delimited: fields of the event are separated by runs of spaces
//     and tabs (Lambda's REPORT line is tab-separated). A field starting
//     with [ runs to the next ], one starting with " to the next ", and the
//     brackets or quotes are not part of the value; an unclosed [ or " is an
//     ordinary character ("[unclosed bracket").
//   - Space-delimited: without ..., the event must have exactly as many
//     fields as the pattern, as the documentation's [w1=ERROR, w2] example
//     shows (it does not match "ERROR WARN message"). The same page says
//     [w1!=ERROR&&w1!=WARN, w2] matches "ERROR WARN message"; by its own
//     rules it cannot, and here it does not.
//   - Space-delimited: at most one ... per pattern. Empty fields (a, ,c and
//     a trailing comma) are unnamed fields, as in the documentation's
//     [..., request=*.html*, status_code=4*,].
//   - Space-delimited: the conditions of a field may only test that field;
//     AWS rejects the documentation's own [..., status_code = 4* && bytes >
//     1000] (awsdocs issue 21), and so does Parse. Field names are made
//     of letters, digits, _ and - (as the AWS CDK checks), but not only of
//     digits, which would clash with the positional names $1, $2, ...
//   - Space-delimited: = and != with a number compare numerically when the
//     field is a number (200.0 = 200) and as text otherwise; < > <= >= are
//     false for fields that are not numbers.
//   - Extracted values (Extract, TestMetricFilter's extractedValues) hold
//     every field of a matching event: "$name" for named fields, "$N" (the
//     field's position, from 1) for unnamed ones and those covered by ...,
//     as in the documented example {"$status_code": "404", "$7": "1534",
//     "$1": "127.0.0.1", ...}. Other kinds of pattern extract nothing.
//
// # Errors
//
// Parse returns a *SyntaxError giving the byte offset of the problem and a
// message meant for the person who wrote the pattern. Its AWSMessage method
// gives the message CloudWatch Logs puts in its InvalidParameterException:
// a specific message where AWS's is known, otherwise "Invalid filter
// pattern" with the detail. Servers should also enforce MaxPatternLength
// (1024) and the per-log-group limits (5 filters with regular expressions,
// counted with RegexCount).
package filterpattern

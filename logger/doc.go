// Package logger is a structured JSON logger for Go AWS Lambda functions, built on log/slog.
//
// It writes one JSON object per line in the shape Powertools for AWS Lambda uses in Python,
// TypeScript, Java and .NET (keys level, location, message, timestamp, service, cold_start,
// function_name, function_memory_size, function_arn, function_request_id, correlation_id,
// xray_trace_id, ...), so the CloudWatch Logs Insights queries and Lambda's JSON log-level
// filtering people already use keep working. A record logged with the context of a subsegment that
// package tracer opened (InfoContext(ctx, ...) inside tracer.CaptureMethod or the traced handler)
// also carries xray_segment_id, that subsegment's id ([SegmentIDKey]).
//
// Use [New] (or [NewHandler] for another writer) for a logger configured from options and the
// Powertools environment variables, and wrap the Lambda handler with [Wrap] (or [WrapAction],
// [WrapNoEvent]) so that every invocation gets a logger carrying its keys, available from
// [FromContext]. That logger is a [Logger]: a *slog.Logger whose calls at a disabled level
// return before reaching log/slog. Several invocations may run at once (AWS_LAMBDA_MAX_CONCURRENCY > 1): all
// per-invocation state lives on the context.Context.
//
// The encoder is hand-written and allocation free for the common attribute kinds.
//
// # Redaction
//
// Secrets are masked as "***" by default, wherever the logger writes them:
//
//   - The value of an attribute, group, map entry or struct field (of a value logged with
//     slog.Any, or an event logged by the middleware) whose key is sensitive. A key is sensitive
//     when, compared case-insensitively and ignoring everything but letters and digits, it
//     contains one of the redact terms ([DefaultRedactKeys]: password, passwd, pwd, passphrase,
//     secret, token, auth_token, authorization, credential, creds, api_key, private_key,
//     access_key, cookie, session, jwt) and is not on the allow list ([DefaultRedactAllowKeys]:
//     token_count, next_token, session_id, secret_id, ...). Terms of six characters or more
//     match anywhere (SecretAccessKey, DB_PASSWORD, X-Api-Key, Set-Cookie); shorter ones where a
//     word of the key ends (SessionToken, csrftoken, DB_PWD, but not tokenizer or max_tokens).
//   - Inside every string the logger writes (the message, string attributes, error messages,
//     strings within logged values, which covers fmt.Sprint and %v output): the value after a
//     sensitive key followed by '=' or ':' (KEY=value, KEY: value, "key": "value",
//     map[password:x], {SecretAccessKey:x}, also two-word keys such as "api key: x"). The value
//     runs to the closing quote when quoted, to the closing bracket when it starts with one of
//     {[(, to the end of the line after an HTTP authorization scheme (Bearer, Basic,
//     AWS4-HMAC-SHA256 ...), else to the next white space.
//   - Wherever they appear in a string: the password of a URL (scheme://user:password@host),
//     AWS access key ids (AKIA..., ASIA...), session tokens (long base64 starting as STS tokens
//     do), and, in a string that also holds an access key id or the word secret, secret access
//     keys (40 base64 characters).
//
// [WithRedactKeys] and [WithRedactAllowKeys] replace the two lists; LAMBDALOG_REDACT_KEYS and
// LAMBDALOG_REDACT_ALLOW_KEYS add to (name) or remove from (-name) the defaults. A string in
// which nothing is found is written without copying or allocating.
package logger

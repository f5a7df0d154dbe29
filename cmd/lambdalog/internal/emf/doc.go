// Package emf recognizes CloudWatch Embedded Metric Format (EMF) objects in log
// event messages and extracts their data points, following the AWS "Specification:
// Embedded metric format".
//
// A message is an EMF document when it is a JSON object with a top-level "_aws"
// member. [Extract] rejects other messages cheaply (no allocation) with
// [ErrNotEMF], and validates documents that claim to be EMF in full: an invalid
// document yields an error wrapping [ErrInvalid], and the caller keeps the message
// as an ordinary log event (CloudWatch does the same and counts the failure).
package emf

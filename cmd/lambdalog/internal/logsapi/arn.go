package logsapi

import (
	"encoding/base64"
	"strings"
)

func (h *Handler) groupARN(region, group string) string {
	return "arn:aws:logs:" + region + ":" + h.account + ":log-group:" + group
}

func (h *Handler) streamARN(region, group, stream string) string {
	return h.groupARN(region, group) + ":log-stream:" + stream
}

// groupFromARN returns the log group named by a log group ARN (with or
// without the trailing ":*") of this account and region.
func (h *Handler) groupFromARN(region, arn string) (string, bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:logs:"+region+":"+h.account+":log-group:")
	if !ok {
		return "", false
	}
	rest = strings.TrimSuffix(rest, ":*")
	if rest == "" || strings.Contains(rest, ":") {
		return "", false
	}
	return rest, true
}

// resolveGroup picks the log group from logGroupName or logGroupIdentifier
// (a name or an ARN); exactly one must be given.
func (h *Handler) resolveGroup(region string, name, identifier *string) (string, error) {
	switch {
	case name != nil && identifier != nil:
		return "", invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	case name != nil:
		return *name, nil
	case identifier == nil:
		return "", invalidParameter("Should provide either name or ARN of the LogGroup.")
	case strings.HasPrefix(*identifier, "arn:"):
		g, ok := h.groupFromARN(region, *identifier)
		if !ok {
			return "", errGroupNotFound
		}
		return g, nil
	}
	return *identifier, nil
}

// Pagination tokens for Describe* are the sort key of the last item
// returned, base64url encoded so they are opaque to clients.
func encodeToken(sortKey string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(sortKey))
}

func decodeToken(tok *string) (string, error) {
	if tok == nil {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*tok)
	if err != nil || len(b) == 0 {
		return "", errBadToken
	}
	return string(b), nil
}

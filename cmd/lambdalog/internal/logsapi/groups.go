package logsapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/awsapi"
	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

// storeError maps store sentinel errors to API errors.
func storeError(err error) error {
	switch {
	case errors.Is(err, store.ErrGroupNotFound):
		return errGroupNotFound
	case errors.Is(err, store.ErrStreamNotFound):
		return errStreamNotFound
	case errors.Is(err, store.ErrGroupExists):
		return errGroupExists
	case errors.Is(err, store.ErrStreamExists):
		return errStreamExists
	case errors.Is(err, store.ErrDiskFull), errors.Is(err, store.ErrFailed):
		// A 5xx: SDKs retry it, and writes resume once space is freed.
		return &awsapi.Error{Status: http.StatusInternalServerError, Code: "ServiceUnavailableException", Message: err.Error()}
	}
	return err
}

type createLogGroupInput struct {
	LogGroupName              *string
	KmsKeyID                  *string `json:"kmsKeyId"`
	Tags                      map[string]string
	LogGroupClass             *string
	DeletionProtectionEnabled bool
}

func (in *createLogGroupInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	v.str("kmsKeyId", in.KmsKeyID, false, ruleKMSKeyID)
	v.tags("tags", in.Tags, false)
	v.enum("logGroupClass", in.LogGroupClass, logGroupClasses)
}

func (h *Handler) createLogGroup(c *call, in *createLogGroupInput) (any, error) {
	g := store.Group{Name: *in.LogGroupName, Class: "STANDARD", Tags: in.Tags, DeletionProtection: in.DeletionProtectionEnabled}
	if in.LogGroupClass != nil {
		g.Class = *in.LogGroupClass
	}
	if in.KmsKeyID != nil {
		g.KMSKeyID = *in.KmsKeyID
	}
	_, err := h.store.CreateGroup(c.ctx, c.region, g)
	return nil, err
}

// groupInput is the input of the operations that name only a log group.
type groupInput struct{ LogGroupName *string }

func (in *groupInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
}

func (h *Handler) deleteLogGroup(c *call, in *groupInput) (any, error) {
	g, err := h.store.Group(c.ctx, c.region, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if g.DeletionProtection {
		return nil, clientError("ValidationException", "Cannot delete log group %s because deletion protection is enabled.", g.Name)
	}
	return nil, h.store.DeleteGroup(c.ctx, c.region, *in.LogGroupName)
}

type logGroupOut struct {
	LogGroupName              string `json:"logGroupName"`
	CreationTime              int64  `json:"creationTime"`
	RetentionInDays           int32  `json:"retentionInDays,omitempty"`
	MetricFilterCount         int    `json:"metricFilterCount"`
	Arn                       string `json:"arn"`
	StoredBytes               int64  `json:"storedBytes"`
	KmsKeyID                  string `json:"kmsKeyId,omitempty"`
	LogGroupClass             string `json:"logGroupClass"`
	LogGroupArn               string `json:"logGroupArn"`
	DeletionProtectionEnabled bool   `json:"deletionProtectionEnabled"`
}

type describeLogGroupsInput struct {
	AccountIdentifiers  []string
	LogGroupNamePrefix  *string
	LogGroupNamePattern *string
	NextToken           *string
	Limit               *int64
	LogGroupClass       *string
	LogGroupIdentifiers []string
}

func (in *describeLogGroupsInput) validate(v *validationErrors) {
	for i, a := range in.AccountIdentifiers {
		v.str("accountIdentifiers."+itoa(i+1)+".member", &a, true, ruleAccountID)
	}
	v.str("logGroupNamePrefix", in.LogGroupNamePrefix, false, ruleGroupName)
	v.str("logGroupNamePattern", in.LogGroupNamePattern, false, ruleGroupNamePat)
	v.str("nextToken", in.NextToken, false, ruleNextToken)
	v.intRange("limit", in.Limit, 1, 50)
	v.enum("logGroupClass", in.LogGroupClass, logGroupClasses)
	for i, id := range in.LogGroupIdentifiers {
		v.str("logGroupIdentifiers."+itoa(i+1)+".member", &id, true, ruleGroupIdentifier)
	}
	if in.LogGroupIdentifiers != nil && (len(in.LogGroupIdentifiers) < 1 || len(in.LogGroupIdentifiers) > 50) {
		v.add("'"+strings.Join(in.LogGroupIdentifiers, ",")+"'", "logGroupIdentifiers", "have length between 1 and 50")
	}
}

func (h *Handler) describeLogGroups(c *call, in *describeLogGroupsInput) (any, error) {
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	}
	if in.LogGroupIdentifiers != nil && (in.LogGroupNamePrefix != nil || in.LogGroupNamePattern != nil) {
		return nil, invalidParameter("LogGroup identifiers and LogGroup name prefix or pattern are mutually exclusive parameters.")
	}
	after, err := decodeToken(in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	wanted := map[string]bool{}
	for _, id := range in.LogGroupIdentifiers {
		if name, ok := h.groupFromARN(c.region, id); ok {
			wanted[name] = true
		} else if !strings.HasPrefix(id, "arn:") {
			wanted[id] = true
		}
	}
	otherAccounts := len(in.AccountIdentifiers) > 0
	for _, a := range in.AccountIdentifiers {
		otherAccounts = otherAccounts && a != h.account
	}
	prefix := ""
	if in.LogGroupNamePrefix != nil {
		prefix = *in.LogGroupNamePrefix
	}
	var groups []store.Group
	more := false
	err = h.store.ListGroups(c.ctx, c.region, prefix, func(g store.Group) bool {
		switch {
		case otherAccounts: // only this account's groups exist here
			return false
		case after != "" && g.Name <= after:
			return true
		case in.LogGroupNamePattern != nil && !strings.Contains(strings.ToLower(g.Name), strings.ToLower(*in.LogGroupNamePattern)):
			return true
		case in.LogGroupClass != nil && g.Class != *in.LogGroupClass:
			return true
		case in.LogGroupIdentifiers != nil && !wanted[g.Name]:
			return true
		}
		if len(groups) == limit {
			more = true
			return false
		}
		groups = append(groups, g)
		return true
	})
	if err != nil {
		return nil, err
	}
	out := struct {
		LogGroups []logGroupOut `json:"logGroups"`
		NextToken string        `json:"nextToken,omitempty"`
	}{LogGroups: []logGroupOut{}}
	for _, g := range groups {
		n, err := h.store.GroupStoredBytes(c.ctx, c.region, g.Name)
		if err != nil && !errors.Is(err, store.ErrGroupNotFound) {
			return nil, err
		}
		filters := 0
		if err := h.store.ListFilters(c.ctx, c.region, store.MetricFilter, g.Name, "", func(store.Filter) bool {
			filters++
			return true
		}); err != nil {
			return nil, err
		}
		arn := h.groupARN(c.region, g.Name)
		out.LogGroups = append(out.LogGroups, logGroupOut{
			LogGroupName: g.Name, CreationTime: g.CreationTime, RetentionInDays: g.RetentionDays,
			MetricFilterCount: filters,
			Arn:               arn + ":*", LogGroupArn: arn, StoredBytes: n, KmsKeyID: g.KMSKeyID,
			LogGroupClass: g.Class, DeletionProtectionEnabled: g.DeletionProtection,
		})
	}
	if more {
		out.NextToken = encodeToken(groups[len(groups)-1].Name)
	}
	return out, nil
}

type putRetentionPolicyInput struct {
	LogGroupName    *string
	RetentionInDays *int64
}

func (in *putRetentionPolicyInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	if in.RetentionInDays == nil {
		v.add("null", "retentionInDays", "not be null")
	}
}

// putRetentionPolicy checks retentionInDays against the allowed values,
// which the model lists only in its documentation, after the model's
// constraints.
func (h *Handler) putRetentionPolicy(c *call, in *putRetentionPolicyInput) (any, error) {
	days := *in.RetentionInDays
	valid := false
	for _, d := range retentionDays {
		valid = valid || int64(d) == days
	}
	if !valid {
		var v validationErrors
		v.add(quote(itoa(int(days))), "retentionInDays", "satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
		return nil, v.err()
	}
	return nil, h.store.UpdateGroup(c.ctx, c.region, *in.LogGroupName, func(g *store.Group) error {
		g.RetentionDays = int32(days)
		return nil
	})
}

func (h *Handler) deleteRetentionPolicy(c *call, in *groupInput) (any, error) {
	return nil, h.store.UpdateGroup(c.ctx, c.region, *in.LogGroupName, func(g *store.Group) error {
		g.RetentionDays = 0
		return nil
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

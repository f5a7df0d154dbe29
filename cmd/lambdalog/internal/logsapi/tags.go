package logsapi

import (
	"maps"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

const maxTags = 50

// groupFromResource resolves a TagResource-style ARN to a log group name.
// It validates the resourceArn parameter itself, after the operation's
// other parameters.
func (h *Handler) groupFromResource(region string, arn *string) (string, error) {
	var v validationErrors
	v.str("resourceArn", arn, true, ruleResourceArn)
	if err := v.err(); err != nil {
		return "", err
	}
	g, ok := h.groupFromARN(region, *arn)
	if !ok {
		return "", clientError("ResourceNotFoundException", "The specified resource does not exist: %s", *arn)
	}
	return g, nil
}

// addTags merges tags into a group, enforcing the 50-tag limit.
func (h *Handler) addTags(c *call, group string, tags map[string]string) error {
	return h.store.UpdateGroup(c.ctx, c.region, group, func(g *store.Group) error {
		merged := maps.Clone(g.Tags)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, tags)
		if len(merged) > maxTags {
			return clientError("TooManyTagsException", "A resource can have no more than %d tags.", maxTags)
		}
		g.Tags = merged
		return nil
	})
}

func (h *Handler) removeTags(c *call, group string, keys []string) error {
	return h.store.UpdateGroup(c.ctx, c.region, group, func(g *store.Group) error {
		for _, k := range keys {
			delete(g.Tags, k)
		}
		return nil
	})
}

// tagsOut is the response of ListTagsForResource and ListTagsLogGroup.
type tagsOut struct {
	Tags map[string]string `json:"tags"`
}

func (h *Handler) listTags(c *call, group string) (any, error) {
	g, err := h.store.Group(c.ctx, c.region, group)
	if err != nil {
		return nil, err
	}
	if g.Tags == nil {
		g.Tags = map[string]string{}
	}
	return tagsOut{g.Tags}, nil
}

type tagResourceInput struct {
	ResourceArn *string
	Tags        map[string]string
}

func (in *tagResourceInput) validate(v *validationErrors) { v.tags("tags", in.Tags, true) }

func (h *Handler) tagResource(c *call, in *tagResourceInput) (any, error) {
	g, err := h.groupFromResource(c.region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, h.addTags(c, g, in.Tags)
}

type untagResourceInput struct {
	ResourceArn *string
	TagKeys     []string
}

func (in *untagResourceInput) validate(v *validationErrors) {
	if in.TagKeys == nil {
		v.add("null", "tagKeys", "not be null")
	}
	for i, k := range in.TagKeys {
		v.str("tagKeys."+itoa(i+1)+".member", &k, true, ruleTagKey)
	}
}

func (h *Handler) untagResource(c *call, in *untagResourceInput) (any, error) {
	g, err := h.groupFromResource(c.region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, h.removeTags(c, g, in.TagKeys)
}

type resourceInput struct{ ResourceArn *string }

func (in *resourceInput) validate(*validationErrors) {}

func (h *Handler) listTagsForResource(c *call, in *resourceInput) (any, error) {
	g, err := h.groupFromResource(c.region, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return h.listTags(c, g)
}

type tagLogGroupInput struct {
	LogGroupName *string
	Tags         map[string]string
}

func (in *tagLogGroupInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	v.tags("tags", in.Tags, true)
}

func (h *Handler) tagLogGroup(c *call, in *tagLogGroupInput) (any, error) {
	return nil, h.addTags(c, *in.LogGroupName, in.Tags)
}

type untagLogGroupInput struct {
	LogGroupName *string
	Tags         []string
}

func (in *untagLogGroupInput) validate(v *validationErrors) {
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	if len(in.Tags) == 0 {
		v.add("null", "tags", "not be null")
	}
	for i, k := range in.Tags {
		v.str("tags."+itoa(i+1)+".member", &k, true, ruleTagKey)
	}
}

func (h *Handler) untagLogGroup(c *call, in *untagLogGroupInput) (any, error) {
	return nil, h.removeTags(c, *in.LogGroupName, in.Tags)
}

func (h *Handler) listTagsLogGroup(c *call, in *groupInput) (any, error) {
	return h.listTags(c, *in.LogGroupName)
}

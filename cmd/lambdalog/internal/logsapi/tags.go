package logsapi

import (
	"maps"

	"github.com/lambdalog/lambdalog/cmd/lambdalog/internal/store"
)

const maxTags = 50

// groupFromResource resolves a TagResource-style ARN to a log group name.
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
	return storeError(h.store.UpdateGroup(c.ctx, c.region, group, func(g *store.Group) error {
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
	}))
}

func (h *Handler) removeTags(c *call, group string, keys []string) error {
	return storeError(h.store.UpdateGroup(c.ctx, c.region, group, func(g *store.Group) error {
		for _, k := range keys {
			delete(g.Tags, k)
		}
		return nil
	}))
}

func (h *Handler) writeTags(c *call, group string) error {
	g, err := h.store.Group(c.ctx, c.region, group)
	if err != nil {
		return storeError(err)
	}
	tags := g.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	return c.writeJSON(struct {
		Tags map[string]string `json:"tags"`
	}{tags})
}

func (h *Handler) tagResource(c *call) error {
	var in struct {
		ResourceArn *string
		Tags        map[string]string
	}
	if err := decode(c.body, &in); err != nil {
		return err
	}
	var v validationErrors
	v.tags("tags", in.Tags, true)
	if err := v.err(); err != nil {
		return err
	}
	g, err := h.groupFromResource(c.region, in.ResourceArn)
	if err != nil {
		return err
	}
	return h.addTags(c, g, in.Tags)
}

func (h *Handler) untagResource(c *call) error {
	var in struct {
		ResourceArn *string
		TagKeys     []string
	}
	if err := decode(c.body, &in); err != nil {
		return err
	}
	var v validationErrors
	if in.TagKeys == nil {
		v.add("null", "tagKeys", "not be null")
	}
	for i, k := range in.TagKeys {
		v.str("tagKeys."+itoa(i+1)+".member", &k, true, ruleTagKey)
	}
	if err := v.err(); err != nil {
		return err
	}
	g, err := h.groupFromResource(c.region, in.ResourceArn)
	if err != nil {
		return err
	}
	return h.removeTags(c, g, in.TagKeys)
}

func (h *Handler) listTagsForResource(c *call) error {
	var in struct{ ResourceArn *string }
	if err := decode(c.body, &in); err != nil {
		return err
	}
	g, err := h.groupFromResource(c.region, in.ResourceArn)
	if err != nil {
		return err
	}
	return h.writeTags(c, g)
}

func (h *Handler) tagLogGroup(c *call) error {
	var in struct {
		LogGroupName *string
		Tags         map[string]string
	}
	if err := decode(c.body, &in); err != nil {
		return err
	}
	var v validationErrors
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	v.tags("tags", in.Tags, true)
	if err := v.err(); err != nil {
		return err
	}
	return h.addTags(c, *in.LogGroupName, in.Tags)
}

func (h *Handler) untagLogGroup(c *call) error {
	var in struct {
		LogGroupName *string
		Tags         []string
	}
	if err := decode(c.body, &in); err != nil {
		return err
	}
	var v validationErrors
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	if len(in.Tags) == 0 {
		v.add("null", "tags", "not be null")
	}
	for i, k := range in.Tags {
		v.str("tags."+itoa(i+1)+".member", &k, true, ruleTagKey)
	}
	if err := v.err(); err != nil {
		return err
	}
	return h.removeTags(c, *in.LogGroupName, in.Tags)
}

func (h *Handler) listTagsLogGroup(c *call) error {
	var in struct{ LogGroupName *string }
	if err := decode(c.body, &in); err != nil {
		return err
	}
	var v validationErrors
	v.str("logGroupName", in.LogGroupName, true, ruleGroupName)
	if err := v.err(); err != nil {
		return err
	}
	return h.writeTags(c, *in.LogGroupName)
}

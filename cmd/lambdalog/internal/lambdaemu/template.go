package lambdaemu

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// TemplateFunction is a function read from a SAM template: its
// configuration, and the directory its code is in (CodeUri).
type TemplateFunction struct {
	Function
	// CodeDir is the absolute path of CodeUri.
	CodeDir string
	// Warnings name what of the function's definition lambdalog does not
	// run: event types other than Api, HttpApi, Schedule and ScheduleV2,
	// and schedules it cannot read.
	Warnings []string
}

type samTemplate struct {
	Globals struct {
		Function samProps `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]struct {
		Type       string   `yaml:"Type"`
		Properties samProps `yaml:"Properties"`
	} `yaml:"Resources"`
}

type samProps struct {
	FunctionName string `yaml:"FunctionName"`
	CodeURI      string `yaml:"CodeUri"`
	Handler      string `yaml:"Handler"`
	Runtime      string `yaml:"Runtime"`
	MemorySize   int    `yaml:"MemorySize"`
	Timeout      int    `yaml:"Timeout"`
	Tracing      string `yaml:"Tracing"`
	Environment  struct {
		Variables map[string]envValue `yaml:"Variables"`
	} `yaml:"Environment"`
	LoggingConfig struct {
		LogFormat           string `yaml:"LogFormat"`
		ApplicationLogLevel string `yaml:"ApplicationLogLevel"`
		SystemLogLevel      string `yaml:"SystemLogLevel"`
		LogGroup            string `yaml:"LogGroup"`
	} `yaml:"LoggingConfig"`
	Events map[string]struct {
		Type       string        `yaml:"Type"`
		Properties samEventProps `yaml:"Properties"`
	} `yaml:"Events"`
}

// samEventProps are the properties of the events dev runs: Api and
// HttpApi, Schedule (an EventBridge rule) and ScheduleV2 (EventBridge
// Scheduler).
type samEventProps struct {
	Path   string `yaml:"Path"`
	Method string `yaml:"Method"`

	Schedule                   string `yaml:"Schedule"`
	ScheduleExpression         string `yaml:"ScheduleExpression"`
	ScheduleExpressionTimezone string `yaml:"ScheduleExpressionTimezone"`
	Input                      string `yaml:"Input"`
	Enabled                    *bool  `yaml:"Enabled"`
	State                      string `yaml:"State"`
	Name                       string `yaml:"Name"`
	GroupName                  string `yaml:"GroupName"`
}

// envValue is the value of an environment variable in a template: a
// string, or a reference (!Ref X or {Ref: X}) to the resource X.
type envValue struct{ text, ref string }

// UnmarshalYAML implements yaml.Unmarshaler.
func (v *envValue) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!Ref":
		v.ref = n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref" && n.Content[1].Kind == yaml.ScalarNode:
		v.ref = n.Content[1].Value
	case n.Kind == yaml.ScalarNode:
		v.text = n.Value // other intrinsic functions (!Sub, ...) keep their text
	default:
		return fmt.Errorf("line %d: an environment variable's value must be a string or a Ref", n.Line)
	}
	return nil
}

// resolveEnv resolves variables: a Ref to a function is its name, as
// CloudFormation resolves it; a Ref to anything else keeps the logical id.
func resolveEnv(vars map[string]envValue, names map[string]string, into map[string]string) {
	for k, v := range vars {
		switch name, ok := names[v.ref]; {
		case v.ref == "":
			into[k] = v.text
		case ok:
			into[k] = name
		default:
			into[k] = v.ref
		}
	}
}

// ParseTemplate reads the AWS::Serverless::Function resources of a SAM
// template, applying Globals.Function. Relative CodeUri paths are resolved
// against dir. Api and HttpApi events become routes, Schedule and
// ScheduleV2 events schedules (named by their Name, else by the function's
// logical id and the event's name, as SAM names the resources it makes);
// other event types, and schedules that cannot run, are named in the
// function's Warnings. An environment variable whose value is !Ref of a
// function (or {Ref: ...}) is that function's name. Functions are returned
// sorted by name and validated.
func ParseTemplate(data []byte, dir string) ([]TemplateFunction, error) {
	var t samTemplate
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	names := map[string]string{} // logical id -> function name
	for id, res := range t.Resources {
		if res.Type == "AWS::Serverless::Function" {
			names[id] = cmp.Or(res.Properties.FunctionName, id)
		}
	}
	var fns []TemplateFunction
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		res := t.Resources[id]
		if res.Type != "AWS::Serverless::Function" {
			continue
		}
		p, g := res.Properties, t.Globals.Function
		fn := Function{
			Name:                names[id],
			Handler:             cmp.Or(p.Handler, g.Handler),
			Runtime:             cmp.Or(p.Runtime, g.Runtime),
			MemoryMB:            cmp.Or(p.MemorySize, g.MemorySize),
			Timeout:             time.Duration(cmp.Or(p.Timeout, g.Timeout)) * time.Second,
			Tracing:             cmp.Or(p.Tracing, g.Tracing) != "PassThrough",
			LogFormat:           cmp.Or(p.LoggingConfig.LogFormat, g.LoggingConfig.LogFormat),
			ApplicationLogLevel: cmp.Or(p.LoggingConfig.ApplicationLogLevel, g.LoggingConfig.ApplicationLogLevel),
			SystemLogLevel:      cmp.Or(p.LoggingConfig.SystemLogLevel, g.LoggingConfig.SystemLogLevel),
			LogGroup:            cmp.Or(p.LoggingConfig.LogGroup, g.LoggingConfig.LogGroup),
			Env:                 map[string]string{},
		}
		resolveEnv(g.Environment.Variables, names, fn.Env)
		resolveEnv(p.Environment.Variables, names, fn.Env)
		var warnings []string
		for _, name := range slices.Sorted(maps.Keys(p.Events)) {
			ev := p.Events[name]
			switch ev.Type {
			case "Api", "HttpApi":
			case "Schedule", "ScheduleV2":
				s, err := templateSchedule(id, name, ev.Type, ev.Properties)
				if err != nil {
					warnings = append(warnings, fmt.Sprintf("function %s: event %s (%s) is not run: %v", fn.Name, name, ev.Type, err))
				} else {
					fn.Schedules = append(fn.Schedules, s)
				}
				continue
			default:
				warnings = append(warnings, fmt.Sprintf("function %s: event %s (%s) is not run by lambdalog dev; invoke the function yourself, for example with lambdalog invoke %s --event FILE",
					fn.Name, name, ev.Type, fn.Name))
				continue
			}
			r := Route{Kind: ev.Type, Method: strings.ToUpper(ev.Properties.Method), Path: ev.Properties.Path}
			if r.Method == "" || r.Method == "ANY" {
				r.Method = "ANY"
			}
			if r.Path == "" && ev.Type == "HttpApi" {
				r.Path = "/{proxy+}" // the $default route
			}
			if r.Path == "" {
				return nil, fmt.Errorf("template: %s: event %s: Path is required", id, name)
			}
			fn.Routes = append(fn.Routes, r)
		}
		if tr := cmp.Or(p.Tracing, g.Tracing); tr != "" && tr != "Active" && tr != "PassThrough" {
			return nil, fmt.Errorf("template: %s: Tracing %q: want Active or PassThrough", id, tr)
		}
		code := cmp.Or(p.CodeURI, g.CodeURI)
		if code == "" {
			return nil, fmt.Errorf("template: %s: CodeUri is required", id)
		}
		if strings.HasPrefix(code, "s3://") {
			return nil, fmt.Errorf("template: %s: CodeUri %s: only local directories are supported", id, code)
		}
		if !filepath.IsAbs(code) {
			code = filepath.Join(dir, code)
		}
		// Validate now, with a placeholder command, so errors name the resource.
		check := fn
		check.Command = []string{"bootstrap"}
		if err := check.normalize(); err != nil {
			return nil, fmt.Errorf("template: %s: %w", id, err)
		}
		fn.Dir = code
		fns = append(fns, TemplateFunction{Function: fn, CodeDir: code, Warnings: warnings})
	}
	if len(fns) == 0 {
		return nil, errors.New("template: no AWS::Serverless::Function resources")
	}
	return fns, nil
}

// templateSchedule reads a Schedule or ScheduleV2 event of the function
// whose logical id is id.
func templateSchedule(id, event, typ string, p samEventProps) (Schedule, error) {
	s := Schedule{Event: event, V2: typ == "ScheduleV2", Name: cmp.Or(p.Name, id+event), Group: p.GroupName,
		Expression: p.Schedule, Timezone: p.ScheduleExpressionTimezone, Input: p.Input}
	if s.V2 {
		s.Expression = p.ScheduleExpression
	}
	switch strings.ToUpper(p.State) {
	case "", "ENABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS":
	case "DISABLED":
		s.Disabled = true
	default:
		return Schedule{}, fmt.Errorf("State %q: want ENABLED or DISABLED", p.State)
	}
	if p.Enabled != nil && !*p.Enabled {
		s.Disabled = true
	}
	if s.Expression == "" && s.V2 {
		return Schedule{}, errors.New("it has no ScheduleExpression")
	}
	if s.Expression == "" {
		return Schedule{}, errors.New("it has no Schedule (expression)")
	}
	return s, s.validate()
}

// LoadTemplate reads and parses a SAM template file.
func LoadTemplate(path string) ([]TemplateFunction, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	fns, err := ParseTemplate(data, abs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return fns, nil
}

// Build makes the executable of a function whose code is in dir: a Go
// package is built with `go build` into out (as provided.al2023 expects,
// with -tags lambda.norpc); a directory holding an executable bootstrap
// is used as is. It returns the command to run.
func Build(ctx context.Context, dir, out string) ([]string, error) {
	goFiles, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(goFiles) == 0 {
		boot := filepath.Join(dir, "bootstrap")
		if st, err := os.Stat(boot); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return []string{boot}, nil
		}
		return nil, fmt.Errorf("build %s: no Go files and no executable bootstrap", dir)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build %s: %w\n%s", dir, err, msg)
	}
	return []string{out}, nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/lambdalog/lambdalog/internal/sdkhttp"
)

// target is where a reading command (query, tail, metrics) sends its
// requests: the local server by default, another endpoint with --endpoint,
// or AWS itself with --aws.
type target struct {
	endpoint string
	useAWS   bool
	region   string
}

func (t *target) register(fs *flag.FlagSet) {
	fs.StringVar(&t.endpoint, "endpoint", "", "`URL` of a lambdalog server or another CloudWatch endpoint (default http://"+defaultAddr+", or AWS's with --aws)")
	fs.BoolVar(&t.useAWS, "aws", false, "talk to AWS: the SDK's default credential chain (environment, profile, SSO, ...) and region")
	fs.StringVar(&t.region, "region", "", "AWS `region` (default $AWS_REGION, the profile's, or us-east-1 locally)")
}

// config returns the SDK configuration for the target.
func (t *target) config(ctx context.Context) (aws.Config, error) {
	if !t.useAWS {
		region := t.region
		if region == "" {
			region = os.Getenv("AWS_REGION")
		}
		if region == "" {
			region = "us-east-1"
		}
		endpoint := t.endpoint
		if endpoint == "" {
			endpoint = "http://" + defaultAddr
		}
		// One attempt, so that a server that is not running is said at once.
		return aws.Config{Region: region, Credentials: clientCredentials(), BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
			HTTPClient: sdkhttp.Client(nil)}, nil
	}
	var opts []func(*config.LoadOptions) error
	if t.region != "" {
		opts = append(opts, config.WithRegion(t.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	cfg.HTTPClient = sdkhttp.Client(cfg.HTTPClient)
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: pass --region or set AWS_REGION")
	}
	if t.endpoint != "" {
		cfg.BaseEndpoint = aws.String(t.endpoint)
	}
	return cfg, nil
}

// where names the target in messages.
func (t *target) where(cfg aws.Config) string {
	if cfg.BaseEndpoint != nil {
		return *cfg.BaseEndpoint
	}
	return "AWS (" + cfg.Region + ")"
}

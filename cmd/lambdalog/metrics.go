package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
)

func metricsCommand() command {
	return command{
		name:    "metrics",
		summary: "list metrics and print their series",
		run:     runMetrics,
	}
}

func runMetrics(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("metrics", "metrics [--namespace NS] [--metric NAME] [--dimension k=v ...] [--since 1h] [--period 60s] [--endpoint URL | --aws]", stderr)
	var t target
	t.register(fs)
	namespace := fs.String("namespace", "", "only metrics in this namespace")
	metric := fs.String("metric", "", "print the series of this metric (without it, only list metrics)")
	var dims listFlag
	fs.Var(&dims, "dimension", "only metrics with this dimension, `name=value` or name (repeatable)")
	since := fs.Duration("since", time.Hour, "how far back the series starts")
	period := fs.Duration("period", time.Minute, "length of each period: 1s, 5s, 10s, 20s, 30s or a multiple of 60s")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *period < time.Second || *period%time.Second != 0 || *since <= 0 {
		return fmt.Errorf("metrics: --period must be a whole number of seconds and --since positive")
	}
	filters := make([]types.DimensionFilter, len(dims))
	for i, d := range dims {
		name, value, hasValue := strings.Cut(d, "=")
		filters[i].Name = aws.String(name)
		if hasValue {
			filters[i].Value = aws.String(value)
		}
	}
	cfg, err := t.config(ctx)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	client := cloudwatch.NewFromConfig(cfg)
	var found []types.Metric
	p := cloudwatch.NewListMetricsPaginator(client, &cloudwatch.ListMetricsInput{
		Namespace: nonEmpty(*namespace), MetricName: nonEmpty(*metric), Dimensions: filters,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("metrics: list metrics at %s: %w", t.where(cfg), err)
		}
		found = append(found, page.Metrics...)
	}
	slices.SortFunc(found, func(a, b types.Metric) int { return strings.Compare(metricTitle(a), metricTitle(b)) })
	if len(found) == 0 {
		fmt.Fprintln(stdout, "no metrics found")
		return nil
	}
	if *metric == "" {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAMESPACE\tMETRIC\tDIMENSIONS")
		for _, m := range found {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", aws.ToString(m.Namespace), aws.ToString(m.MetricName), dimensionList(m.Dimensions))
		}
		return tw.Flush()
	}
	end := time.Now()
	for i, m := range found {
		out, err := client.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{
			Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions,
			StartTime: aws.Time(end.Add(-*since)), EndTime: aws.Time(end), Period: aws.Int32(int32(*period / time.Second)),
			Statistics: []types.Statistic{types.StatisticSampleCount, types.StatisticSum, types.StatisticAverage, types.StatisticMinimum, types.StatisticMaximum},
		})
		if err != nil {
			return fmt.Errorf("metrics: statistics of %s: %w", metricTitle(m), err)
		}
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		printSeries(stdout, m, out.Datapoints)
	}
	return nil
}

func printSeries(w io.Writer, m types.Metric, points []types.Datapoint) {
	fmt.Fprintln(w, metricTitle(m))
	if len(points) == 0 {
		fmt.Fprintln(w, "  no data in the time range")
		return
	}
	slices.SortFunc(points, func(a, b types.Datapoint) int { return aws.ToTime(a.Timestamp).Compare(aws.ToTime(b.Timestamp)) })
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  PERIOD START\tSUM\tAVERAGE\tMIN\tMAX\tCOUNT\tUNIT\t")
	var sum, count float64
	for _, p := range points {
		sum += aws.ToFloat64(p.Sum)
		count += aws.ToFloat64(p.SampleCount)
		fmt.Fprintf(tw, "  %s\t%g\t%g\t%g\t%g\t%g\t%s\t\n", aws.ToTime(p.Timestamp).Local().Format(time.DateTime),
			aws.ToFloat64(p.Sum), aws.ToFloat64(p.Average), aws.ToFloat64(p.Minimum), aws.ToFloat64(p.Maximum), aws.ToFloat64(p.SampleCount), p.Unit)
	}
	fmt.Fprintf(tw, "  total\t%g\t\t\t\t%g\t\t\n", sum, count)
	tw.Flush()
}

func metricTitle(m types.Metric) string {
	return aws.ToString(m.Namespace) + " " + aws.ToString(m.MetricName) + " " + dimensionList(m.Dimensions)
}

func dimensionList(dims []types.Dimension) string {
	parts := make([]string, len(dims))
	for i, d := range dims {
		parts[i] = aws.ToString(d.Name) + "=" + aws.ToString(d.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// clientCredentials signs with AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when
// set (a server started with --access-key-id checks them), else placeholders
// a loopback server accepts.
func clientCredentials() aws.CredentialsProvider {
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		id, secret = "local", "local"
	}
	return credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN"))
}

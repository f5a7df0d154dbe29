package httpadapter

// Source identifies the AWS service that sent an HTTP event to the function.
// The zero value, SourceAuto, means "detect it from the event".
type Source int

// Event sources the adapter understands.
const (
	// SourceAuto detects the source from the event JSON (the default).
	SourceAuto Source = iota
	// SourceAPIGatewayV1 is an API Gateway REST API proxy event (payload
	// format 1.0; also what HTTP APIs send with payload format 1.0).
	SourceAPIGatewayV1
	// SourceAPIGatewayV2 is an API Gateway HTTP API event, payload format 2.0.
	SourceAPIGatewayV2
	// SourceALB is an Application Load Balancer target group event, with or
	// without multi-value headers.
	SourceALB
	// SourceFunctionURL is a Lambda function URL event.
	SourceFunctionURL
	// SourceVPCLattice is a VPC Lattice event, structure version 2.
	SourceVPCLattice
)

// String returns the source's name, e.g. "apigateway-v1".
func (s Source) String() string {
	switch s {
	case SourceAuto:
		return "auto"
	case SourceAPIGatewayV1:
		return "apigateway-v1"
	case SourceAPIGatewayV2:
		return "apigateway-v2"
	case SourceALB:
		return "alb"
	case SourceFunctionURL:
		return "function-url"
	case SourceVPCLattice:
		return "vpc-lattice-v2"
	}
	return "unknown"
}

package httpadapter

import (
	"encoding/json"
	"fmt"
)

// VPCLatticeV2Request is the event VPC Lattice sends to a Lambda target
// group with event structure version V2. aws-lambda-go has no type for it.
type VPCLatticeV2Request struct {
	Version               string                     `json:"version"`
	Path                  string                     `json:"path"`
	Method                string                     `json:"method"`
	Headers               VPCLatticeValues           `json:"headers"`
	QueryStringParameters VPCLatticeValues           `json:"queryStringParameters,omitempty"`
	Body                  string                     `json:"body,omitempty"`
	IsBase64Encoded       bool                       `json:"isBase64Encoded"`
	RequestContext        VPCLatticeV2RequestContext `json:"requestContext"`
}

// VPCLatticeValues holds multi-value headers or query parameters. It also
// decodes the single-string form ({"k":"v"}) seen in some published examples.
type VPCLatticeValues map[string][]string

// UnmarshalJSON accepts {"k":["v1","v2"]} and {"k":"v"}.
func (m *VPCLatticeValues) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return fmt.Errorf("httpadapter: decode VPC Lattice values: %w", err)
	}
	if raw == nil {
		*m = nil
		return nil
	}
	out := make(VPCLatticeValues, len(raw))
	for k, v := range raw {
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			var s string
			if err2 := json.Unmarshal(v, &s); err2 != nil {
				return fmt.Errorf("httpadapter: decode VPC Lattice value of %q: %w", k, err)
			}
			list = []string{s}
		}
		out[k] = list
	}
	*m = out
	return nil
}

// VPCLatticeV2RequestContext describes the VPC Lattice service, target group
// and caller of a VPCLatticeV2Request.
type VPCLatticeV2RequestContext struct {
	ServiceNetworkARN string             `json:"serviceNetworkArn"`
	ServiceARN        string             `json:"serviceArn"`
	TargetGroupARN    string             `json:"targetGroupArn"`
	Identity          VPCLatticeIdentity `json:"identity"`
	Region            string             `json:"region"`
	// TimeEpoch is the request time in microseconds since the Unix epoch.
	TimeEpoch string `json:"timeEpoch"`
}

// VPCLatticeIdentity is the caller identity VPC Lattice attaches to a request.
type VPCLatticeIdentity struct {
	SourceVPCARN   string `json:"sourceVpcArn,omitempty"`
	Type           string `json:"type,omitempty"`
	Principal      string `json:"principal,omitempty"`
	PrincipalOrgID string `json:"principalOrgID,omitempty"`
	SessionName    string `json:"sessionName,omitempty"`
	X509IssuerOU   string `json:"x509IssuerOu,omitempty"`
	X509SanDNS     string `json:"x509SanDns,omitempty"`
	X509SanNameCN  string `json:"x509SanNameCn,omitempty"`
	X509SanURI     string `json:"x509SanUri,omitempty"`
	X509SubjectCN  string `json:"x509SubjectCn,omitempty"`
}

// VPCLatticeResponse is a Lambda function's response to VPC Lattice.
type VPCLatticeResponse struct {
	StatusCode        int               `json:"statusCode"`
	StatusDescription string            `json:"statusDescription,omitempty"`
	Headers           map[string]string `json:"headers"`
	Body              string            `json:"body,omitempty"`
	IsBase64Encoded   bool              `json:"isBase64Encoded"`
}

package invocation

import (
	"os"
	"sync/atomic"
)

// EnvInitializationType names how Lambda initialized the execution environment: on-demand,
// provisioned-concurrency or snap-start.
const EnvInitializationType = "AWS_LAMBDA_INITIALIZATION_TYPE"

// ColdStart tells the first invocation of one wrapped handler from the others. Create it with
// [NewColdStart]; it is safe for concurrent use.
type ColdStart struct {
	started     atomic.Bool
	provisioned bool
}

// NewColdStart returns a ColdStart for one handler, reading AWS_LAMBDA_INITIALIZATION_TYPE now.
func NewColdStart() *ColdStart {
	return &ColdStart{provisioned: os.Getenv(EnvInitializationType) == "provisioned-concurrency"}
}

// Next reports whether the invocation starting now is the handler's cold start: true on the first
// call only, and never under provisioned concurrency.
func (c *ColdStart) Next() bool {
	return !c.started.Swap(true) && !c.provisioned
}

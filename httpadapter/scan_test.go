package httpadapter

import "github.com/lambdalog/lambdalog/internal/jsonscan"

// errTooDeep is the error (wrapped) for event JSON nested deeper than
// jsonscan.MaxDepth, which encoding/json also rejects.
var errTooDeep = jsonscan.ErrTooDeep

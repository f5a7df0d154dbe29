package logsapi

// OpenSessions returns how many Live Tail sessions are open: registered,
// and not yet removed, which happens once both goroutines of a session
// have returned.
func (lt *LiveTail) OpenSessions() int { return int(lt.open.Load()) }

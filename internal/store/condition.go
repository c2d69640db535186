package store

import (
	"strconv"

	"github.com/agendafeed/agendafeed/internal/agenda"
)

// Absent is the condition (ifRevision, ifSequence, ifVersion) of a
// create-only put: it applies only if the row does not exist yet, else it
// fails with an error wrapping agenda.ErrConflict and changes nothing. The
// check is made inside the write transaction, so a row another process
// creates after the caller looked is never overwritten. Only puts take it.
const Absent int64 = -2

// checkPutCondition is checkCondition for a put, which may also be
// create-only.
func checkPutCondition(name string, v int64) error {
	if v == Absent {
		return nil
	}
	if v < Any {
		return agenda.Errors{{Field: name, Value: strconv.FormatInt(v, 10),
			Msg: "expected store.Any (-1) for no condition, store.Absent (-2) to create only, or the current value (0 or more)"}}
	}
	return nil
}

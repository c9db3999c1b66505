package sqldb

import "strings"

// ForUpdate is the clause that ends a SELECT whose rows the transaction
// goes on to write, so that a concurrent writer waits for the commit and
// then reads what this one wrote, instead of both writing from the same
// old row and one losing its change.
//
// On PostgreSQL it is FOR NO KEY UPDATE, the lock an UPDATE that leaves
// the key alone takes anyway: it queues writers of the row but not the
// key-share locks that inserting a row referring to it takes (an event of
// the lead), which FOR UPDATE would also wait for and deadlock with. It
// is limited to the tables (by name or alias) in of: PostgreSQL refuses
// to lock the nullable side of an outer join, and a table joined for a
// name need not be locked. On SQLite it is empty: a transaction there
// begins IMMEDIATE on the single writer connection, so no other writer
// runs until it ends.
func (t *Tx) ForUpdate(of ...string) string {
	if t.dialect != Postgres {
		return ""
	}
	if len(of) == 0 {
		return " FOR NO KEY UPDATE"
	}
	return " FOR NO KEY UPDATE OF " + strings.Join(of, ", ")
}

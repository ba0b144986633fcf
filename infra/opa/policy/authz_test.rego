# Unit tests of sea.authz: `opa test infra/opa/policy/ -v` (run by scripts/build-images.sh).
package sea.authz_test

import data.sea.authz

test_alice_reads_events if authz.allow with input as {"subject": "alice", "action": "read", "resource": "events"}

test_alice_cannot_delete_events if not authz.allow with input as {"subject": "alice", "action": "delete", "resource": "events"}

test_alice_cannot_read_other_resource if not authz.allow with input as {"subject": "alice", "action": "read", "resource": "billing"}

test_mallory_denied if not authz.allow with input as {"subject": "mallory", "action": "delete", "resource": "events"}

test_mallory_cannot_even_read if not authz.allow with input as {"subject": "mallory", "action": "read", "resource": "events"}

test_bob_admin_does_anything if {
	authz.allow with input as {"subject": "bob", "action": "delete", "resource": "events"}
	authz.allow with input as {"subject": "bob", "action": "purge", "resource": "billing"}
}

test_carol_writes_but_does_not_delete if {
	authz.allow with input as {"subject": "carol", "action": "write", "resource": "events"}
	not authz.allow with input as {"subject": "carol", "action": "delete", "resource": "events"}
}

test_unknown_subject_denied if not authz.allow with input as {"subject": "eve", "action": "read", "resource": "events"}

test_missing_input_denied if not authz.allow with input as {}

test_wrong_types_denied if not authz.allow with input as {"subject": ["alice"], "action": "read", "resource": "events"}

# Authorization policy of the SEA policy-gateway (OPA 1.x, Rego v1).
# Query: POST /v1/data/sea/authz/allow  {"input": {"subject": S, "action": A, "resource": R}}
# Answer: {"result": true|false}. Default deny: an unknown subject, a subject without a role, a role
# that does not grant the action on the resource, or malformed input all give false.
# Known probes of the chaos scenarios (keep them true):
#   alice   read   events -> allow (reader)
#   mallory delete events -> deny  (no role)
package sea.authz

default allow := false

# subject -> role. mallory deliberately has none.
roles := {
	"alice": "reader",
	"bob": "admin",
	"carol": "writer",
}

# role -> resource -> allowed actions; "*" matches any resource or action.
grants := {
	"reader": {"events": {"read"}},
	"writer": {"events": {"read", "write"}},
	"admin": {"*": {"*"}},
}

allow if {
	role := roles[input.subject]
	some resource, actions in grants[role]
	resource_matches(resource)
	action_matches(actions)
}

resource_matches(resource) if resource == "*"

resource_matches(resource) if resource == input.resource

action_matches(actions) if "*" in actions

action_matches(actions) if input.action in actions

package agenda

import (
	"strings"
	"testing"
)

func TestPersonLine(t *testing.T) {
	tests := []struct {
		name string
		p    Participant
		want string
	}{
		{"with affiliation", Participant{Person: Person{Name: "Emilia Saiz", Affiliation: "Secretary General of UCLG"}, Role: RoleModerator},
			"Moderator: Emilia Saiz (Secretary General of UCLG)"},
		{"without affiliation", Participant{Person: Person{Name: "Mohamed Boudra"}, Role: RoleSpeaker}, "Speaker: Mohamed Boudra"},
		{"no role reads as a speaker", Participant{Person: Person{Name: "Gissela Chala"}}, "Speaker: Gissela Chala"},
		{"unknown role as given", Participant{Person: Person{Name: "A B"}, Role: "juror"}, "juror: A B"},
		{"keynote names the person", Participant{Person: Person{Name: "Ada Colau"}, Role: RoleKeynote}, "Keynote speaker: Ada Colau"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := PersonLine(&tt.p)
			if got := strings.Join(line[:], ""); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRoleLabelEveryRole checks that every role has a label of its own,
// singular and plural.
func TestRoleLabelEveryRole(t *testing.T) {
	seen := map[string]Role{}
	for _, r := range Roles() {
		for _, l := range []string{RoleLabel(r), RoleLabelPlural(r)} {
			if l == string(r) || l == "" {
				t.Errorf("role %q has no label", r)
			}
			if o, ok := seen[l]; ok {
				t.Errorf("roles %q and %q both read %q", o, r, l)
			}
			seen[l] = r
		}
		if p := RoleLabelPlural(r); p == RoleLabel(r) {
			t.Errorf("role %q reads %q for one and many", r, p)
		}
	}
}

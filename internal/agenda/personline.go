package agenda

// RoleLabel is how a role reads in front of a name in a session's plain
// text: "Moderator", "Speaker". An empty role is a speaker's, as validation
// makes it; a role that is not known (unvalidated data) reads as given.
func RoleLabel(r Role) string {
	switch r {
	case RoleModerator:
		return "Moderator"
	case RoleChair:
		return "Chair"
	case RoleHost:
		return "Host"
	case RoleKeynote:
		return "Keynote"
	case RoleSpeaker, "":
		return "Speaker"
	case RolePanelist:
		return "Panelist"
	case RolePresenter:
		return "Presenter"
	case RoleDiscussant:
		return "Discussant"
	case RoleRapporteur:
		return "Rapporteur"
	case RoleOrganizer:
		return "Organizer"
	}
	return string(r)
}

// PersonLine is the line that presents a participant in a session's plain
// text, "Moderator: Emilia Saiz (Secretary General of UCLG)", the same in
// the calendar's DESCRIPTION and in the page's "add to calendar" links, so
// that an event added either way reads alike.
//
// It comes in pieces, to be written one after the other, each escaped as
// the output needs: both writers escape byte by byte, so that is the same
// as escaping the joined line, and it spares building the line (a page of
// 100 sessions has some 500 of them). Pieces after the name are empty when
// the participant has no affiliation.
func PersonLine(p *Participant) [6]string {
	line := [6]string{RoleLabel(p.Role), ": ", p.Name}
	if p.Affiliation != "" {
		line[3], line[4], line[5] = " (", p.Affiliation, ")"
	}
	return line
}

package agenda

// RoleLabel is how a role reads in front of a name, "Moderator: Emilia
// Saiz", in every output: the calendar's DESCRIPTION, the page's "add"
// links and its people list, the news feeds. An empty role is a speaker's,
// as validation makes it; a role that is not known (unvalidated data) reads
// as given.
func RoleLabel(r Role) string {
	one, _ := roleWords(r)
	return one
}

// RoleLabelPlural is RoleLabel for more than one person, as the page
// heads a group of them: "Panelists".
func RoleLabelPlural(r Role) string {
	_, many := roleWords(r)
	return many
}

// roleWords names a role for one person and for many. A keynote is
// "Keynote speaker": "Keynote: Name" reads as the title of a talk rather
// than who gives it, and the other labels all name a person.
func roleWords(r Role) (one, many string) {
	switch r {
	case RoleModerator:
		return "Moderator", "Moderators"
	case RoleChair:
		return "Chair", "Chairs"
	case RoleHost:
		return "Host", "Hosts"
	case RoleKeynote:
		return "Keynote speaker", "Keynote speakers"
	case RoleSpeaker, "":
		return "Speaker", "Speakers"
	case RolePanelist:
		return "Panelist", "Panelists"
	case RolePresenter:
		return "Presenter", "Presenters"
	case RoleDiscussant:
		return "Discussant", "Discussants"
	case RoleRapporteur:
		return "Rapporteur", "Rapporteurs"
	case RoleOrganizer:
		return "Organizer", "Organizers"
	}
	return string(r), string(r)
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

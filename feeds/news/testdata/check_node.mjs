// Check agendafeed's news feeds with two Node feed parsers:
// @rowanmanning/feed-parser (RSS, Atom) and feedsmith (RSS, Atom, JSON Feed).
//
// Usage: node check_node.mjs SPEC.json   (run from anywhere under the repo, so
// that node_modules at the repository root resolves)
//
// Exit status: 0 all agree, 1 a mismatch (printed), 77 a parser is missing.

import fs from 'node:fs';

let rowan, feedsmith;
try {
	rowan = await import('@rowanmanning/feed-parser');
	feedsmith = await import('feedsmith');
} catch (err) {
	console.error(`npm packages missing (npm ci at the repository root): ${err.message}`);
	process.exit(77);
}

const errors = [];
const check = (cond, msg) => {
	if (!cond) errors.push(msg);
};
const secs = (d) => (d == null ? null : Math.floor(new Date(d).getTime() / 1000));
const text = (v) => (v != null && typeof v === 'object' ? v.value : v);

function compare(where, got, items, exact, withUpdated) {
	check(got.length === items.length, `${where}: ${got.length} items, want ${items.length}`);
	got.forEach((g, i) => {
		const w = items[i];
		if (!w) return;
		const at = `${where} item ${i}`;
		check(g.id === w.id, `${at}: id ${JSON.stringify(g.id)}, want ${JSON.stringify(w.id)}`);
		if (exact) check(g.title === w.title, `${at}: title ${JSON.stringify(g.title)}, want ${JSON.stringify(w.title)}`);
		check(g.link === w.link, `${at}: link ${JSON.stringify(g.link)}, want ${JSON.stringify(w.link)}`);
		check(secs(g.published) === w.published, `${at}: published ${g.published}, want ${w.published}`);
		if (withUpdated) check(secs(g.updated) === w.updated, `${at}: updated ${g.updated}, want ${w.updated}`);
	});
}

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
for (const c of spec.cases) {
	const rss = fs.readFileSync(c.rss, 'utf8');
	const atom = fs.readFileSync(c.atom, 'utf8');
	const json = JSON.parse(fs.readFileSync(c.json, 'utf8'));

	for (const [fmt, src] of [['rss', rss], ['atom', atom]]) {
		const where = `${c.name}.${fmt} (@rowanmanning/feed-parser)`;
		try {
			const f = rowan.parseFeed(src);
			if (c.exact_text) check(f.title === c.title, `${where}: title ${JSON.stringify(f.title)}`);
			if (c.language) check(f.language === c.language, `${where}: language ${f.language}`);
			check(secs(f.updated) === c.updated, `${where}: feed updated ${f.updated}, want ${c.updated}`);
			compare(where, f.items.map((it) => ({ id: it.id, title: it.title, link: it.url, published: it.published, updated: it.updated })),
				c.items, c.exact_text, fmt === 'atom');
		} catch (err) {
			errors.push(`${where}: ${err.message}`);
		}
	}

	try {
		const f = feedsmith.parseRssFeed(rss);
		const where = `${c.name}.rss (feedsmith)`;
		compare(where, (f.items ?? []).map((it) => ({
			id: text(it.guid), title: it.title, link: it.link, published: it.pubDate,
		})), c.items, c.exact_text, false);
		(f.items ?? []).forEach((it, i) => check(it.guid?.isPermaLink === false, `${where} item ${i}: guid isPermaLink ${it.guid?.isPermaLink}`));
	} catch (err) {
		errors.push(`${c.name}.rss (feedsmith): ${err.message}`);
	}
	try {
		const f = feedsmith.parseAtomFeed(atom);
		const where = `${c.name}.atom (feedsmith)`;
		if (c.exact_text) check(text(f.title) === c.title, `${where}: title ${JSON.stringify(f.title)}`);
		check(f.id && f.id.startsWith('https://'), `${where}: feed id ${f.id}`);
		compare(where, (f.entries ?? []).map((e) => ({
			id: e.id, title: text(e.title), link: (e.links ?? []).find((l) => l.rel === 'alternate')?.href,
			published: e.published, updated: e.updated,
		})), c.items, c.exact_text, true);
	} catch (err) {
		errors.push(`${c.name}.atom (feedsmith): ${err.message}`);
	}
	try {
		const f = feedsmith.parseJsonFeed(json);
		const where = `${c.name}.json (feedsmith)`;
		check(json.version === 'https://jsonfeed.org/version/1.1', `${where}: version ${json.version}`);
		if (c.exact_text) check(f.title === c.title, `${where}: title ${JSON.stringify(f.title)}`);
		if (c.language) check(f.language === c.language, `${where}: language ${f.language}`);
		compare(where, (f.items ?? []).map((it) => ({
			id: it.id, title: it.title, link: it.url, published: it.date_published, updated: it.date_modified,
		})), c.items, c.exact_text, true);
	} catch (err) {
		errors.push(`${c.name}.json (feedsmith): ${err.message}`);
	}
}

if (errors.length > 0) {
	for (const e of errors.slice(0, 50)) console.log(e);
	console.log(`${errors.length} mismatches`);
	process.exit(1);
}
console.log(`@rowanmanning/feed-parser and feedsmith: ${spec.cases.length} cases agree (RSS, Atom, JSON Feed)`);

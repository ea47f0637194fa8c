// Text search over model ids, names and families, with the runtime's rules (knollm/textmatch.py; the rules
// come as data in the explorer file's `search` entry): matching is on folded text (lowercase, only a-z and
// 0-9), so `llama 3.3 70b`, `llama-3.3-70b` and `llama3.3:70b` find the same models. Every query word must
// occur in some folded field or, for words of 4+ letters, be a near spelling (one typo; two for 8+ letters)
// of a word in the data. Rank, lower first: 0 exact id, name or family; 1 id or family prefix; 2 in the id;
// 3 in the name or family; 4 every word somewhere; 5 only by a typo. Ties: shorter provider id, then data order.
// The reader's text is never rewritten: only the copy used for matching is folded.

export const WORST_RANK = 5;

/** fold(text) and words(query) from the rules data ({drop, split}: regular expression sources). */
export function makeRules(rules) {
  if (!rules || !rules.drop || !rules.split) throw new Error("the explorer data has no search rules (its `search` entry)");
  const drop = new RegExp(rules.drop, "g");
  const split = new RegExp(rules.split);
  const fold = (text) => String(text ?? "").toLowerCase().replace(drop, "");
  const words = (text) => String(text ?? "").toLowerCase().split(split).map(fold).filter(Boolean);
  return { fold, words };
}

function withinDistance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return false;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      best = Math.min(best, current[j]);
    }
    if (best > limit) return false;
    previous = current;
  }
  return previous[b.length] <= limit;
}

/** The rank of one entry ({full, local, last, name, family, familyName}, all folded) for a folded query. */
function rankOf(e, whole, words) {
  if (!whole) return WORST_RANK;
  if ([e.full, e.local, e.last, e.name, e.family].includes(whole)) return 0;
  if (e.local.startsWith(whole) || e.last.startsWith(whole) || (e.family && e.family.startsWith(whole))) return 1;
  if (e.full.includes(whole)) return 2;
  if (e.name.includes(whole) || (e.family && e.family.includes(whole)) || e.familyName.includes(whole)) return 3;
  return words.every((w) => e.hay.includes(w)) ? 4 : WORST_RANK;
}

export class TextIndex {
  /** fields: per model [id, modelId, name, familyId, familyName]; rules: the data's {drop, split}. */
  constructor(fields, rules) {
    this.rules = makeRules(rules);
    const { fold, words } = this.rules;
    this.entries = fields.map(([id, modelId, name, familyId, familyName]) => {
      const entry = { full: fold(id), local: fold(modelId), last: fold(String(modelId).split("/").pop()),
        name: fold(name), family: fold(familyId), familyName: fold(familyName) };
      entry.hay = [entry.full, entry.name, entry.family, entry.familyName].filter(Boolean).join(" ");
      return entry;
    });
    this.postings = new Map();
    fields.forEach((f, i) => {
      for (const word of new Set(f.flatMap((text) => words(text)))) {
        if (!this.postings.has(word)) this.postings.set(word, []);
        this.postings.get(word).push(i);
      }
    });
    this.fuzzyCache = new Map();
  }

  /** Model indexes near-matching one query word, by spelling (cached per word). */
  fuzzy(term) {
    if (this.fuzzyCache.has(term)) return this.fuzzyCache.get(term);
    const hits = new Set();
    if (term.length >= 4) {
      const limit = term.length >= 8 ? 2 : 1;
      for (const [word, ids] of this.postings) {
        if (withinDistance(term, word, limit)) ids.forEach((i) => hits.add(i));
      }
    }
    this.fuzzyCache.set(term, hits);
    return hits;
  }

  /** test(i), rank(i) and order(i, j) (for sorting) for the query; null when it has no words. */
  matcher(query) {
    const terms = this.rules.words(query);
    if (!terms.length) return null;
    const whole = this.rules.fold(query);
    const fuzzy = terms.map((t) => this.fuzzy(t));
    const ranks = new Int8Array(this.entries.length).fill(-1); // computed on first use, per query
    const rank = (i) => {
      if (ranks[i] < 0) ranks[i] = rankOf(this.entries[i], whole, terms);
      return ranks[i];
    };
    return {
      test: (i) => terms.every((t, k) => this.entries[i].hay.includes(t) || fuzzy[k].has(i)),
      rank,
      order: (i, j) => rank(i) - rank(j) || this.entries[i].local.length - this.entries[j].local.length || i - j,
    };
  }

  /** For a query that finds nothing: up to `limit` indexes matching the most of its words (typos allowed). */
  nearest(query, limit = 5) {
    const terms = this.rules.words(query);
    if (!terms.length) return [];
    const fuzzy = terms.map((t) => this.fuzzy(t));
    const hits = this.entries.map((e, i) => terms.filter((t, k) => e.hay.includes(t) || fuzzy[k].has(i)).length);
    const best = Math.max(0, ...hits);
    if (!best) return [];
    const order = this.matcher(query).order;
    return hits.map((n, i) => [n, i]).filter(([n]) => n === best).map(([, i]) => i).sort(order).slice(0, limit);
  }
}

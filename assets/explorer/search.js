// Text search over model ids, names and families: every word of the query must match, as a substring
// or, for words of 4+ letters, as a near spelling (one typo; two for 8+ letters) of a word in the data.

function words(text) {
  return text.split(/[^a-z0-9.]+/).filter((w) => w.length > 1);
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

export class TextIndex {
  constructor(haystacks) {
    this.haystacks = haystacks.map((h) => h.toLowerCase());
    this.postings = new Map();
    this.haystacks.forEach((h, i) => {
      for (const word of new Set(words(h))) {
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

  /** A predicate and a relevance score for the query, or null when the query is empty. */
  matcher(query) {
    const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) return null;
    const fuzzy = terms.map((t) => this.fuzzy(t));
    const whole = query.trim().toLowerCase();
    return {
      test: (i) => terms.every((t, k) => this.haystacks[i].includes(t) || fuzzy[k].has(i)),
      score: (i) => {
        const h = this.haystacks[i];
        if (h.startsWith(`${whole} `) || h === whole) return 3;
        if (h.includes(whole)) return 2;
        return terms.every((t) => h.includes(t)) ? 1 : 0;
      },
    };
  }
}

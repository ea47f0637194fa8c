// Text search over model ids, names and families, with the runtime's rules (knollm/textmatch.py; the rules
// come as data in the explorer file's `search` entry): matching is on folded text (lowercase, only a-z and
// 0-9), so `llama 3.3 70b`, `llama-3.3-70b` and `llama3.3:70b` find the same models. Every query word must
// occur in some folded field or, for words of 4+ letters, be a near spelling (one typo; two for 8+ letters)
// of a word in the data. Rank, lower first: 0 exact id, name or family; 1 id or family prefix; 2 in the id;
// 3 in the name or family; 4 every word somewhere; 5 only by a typo. Ties: shorter provider id, then data order.
// The reader's text is never rewritten: only the copy used for matching is folded.
// The index is built, and each word's near spellings are found, in steps that a caller may run in slices
// (slices.js), so a keystroke never waits behind a long task.
import { drain } from "./slices.js";

export const WORST_RANK = 5;

/** fold(text) and words(query) from the rules data ({drop, split}: regular expression sources). */
export function makeRules(rules) {
  if (!rules || !rules.drop || !rules.split) throw new Error("the explorer data has no search rules (its `search` entry)");
  const drop = new RegExp(rules.drop, "g");
  const split = new RegExp(rules.split);
  const fold = (text) => String(text ?? "").toLowerCase().replace(drop, "");
  const words = (text) => String(text ?? "").toLowerCase().split(split).map(fold).filter(Boolean);
  return { fold, words, dropSource: rules.drop, splitSource: rules.split };
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Whether a and b are at most `limit` edits apart (two reused rows of the edit-distance table). */
function withinDistance(a, b, limit) {
  if (Math.abs(a.length - b.length) > limit) return false;
  if (rowA.length <= b.length) { rowA = new Int32Array(b.length + 1); rowB = new Int32Array(b.length + 1); }
  let previous = rowA;
  let current = rowB;
  for (let j = 0; j <= b.length; j += 1) previous[j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    current[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (current[j] < best) best = current[j];
    }
    if (best > limit) return false;
    [previous, current] = [current, previous];
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

const NEAR_LENGTH = 4; // shorter words match only as typed
const NOTHING = new Set();
const STEP = 256; // items between two looks at a slice's clock (slices.js)

/** `words` and `fold` remembered per text: ids share providers, families and model ids. */
function remembered(compute) {
  const known = new Map();
  return (text) => {
    const key = text ?? "";
    let value = known.get(key);
    if (value === undefined) { value = compute(key); known.set(key, value); }
    return value;
  };
}

export class TextIndex {
  /** fields: per model [id, modelId, name, familyId, familyName, providerId?]; rules: the data's {drop, split}. The index is
   * built in two phases, each by steps (run in slices, slices.js, or at once by `build()`): the folded fields
   * (`hayReady`), which exact matching needs, then the words (`ready`), which near spellings need. */
  constructor(fields, rules) {
    this.rules = makeRules(rules);
    this.fields = fields;
    this.hay = []; // per model: its folded id, name, family id and family name, joined by spaces
    this.localLength = []; // per model: the length of its folded model id (a tie-break of the relevance order)
    this.entries = []; // per model, made when a query first ranks it: its folded fields (rankOf)
    this.postings = new Map(); // folded word -> model indexes (ascending)
    this.byLength = null; // model indexes by folded local id length, then index: the relevance order's tie-breaks
    this.fuzzyCache = new Map();
    this.phases = [this.haySteps(), this.wordSteps()];
    this.done = [false, false];
  }

  /** Steps that build what is left of a phase; shared by every caller, so a cancelled run's work is kept. */
  *phase(n) {
    if (n > 0) yield* this.phase(n - 1);
    while (!this.done[n]) {
      if (this.phases[n].next().done) this.done[n] = true;
      else yield;
    }
  }

  hayReady() {
    return this.phase(0);
  }

  ready() {
    return this.phase(1);
  }

  build() {
    drain(this.ready());
  }

  /** `ready()`, then every model's folded fields for ranking (made on first use otherwise): for idle time. */
  *warmSteps() {
    yield* this.ready();
    for (let i = 0; i < this.fields.length; i += 1) {
      this.entry(i);
      if (i % STEP === STEP - 1) yield;
    }
  }

  *haySteps() {
    const { fold } = this.rules;
    const families = new Map(); // family id -> [its name as given, its folds]: one fold per family, not per model
    const familyFolds = (id, name) => {
      const known = families.get(id ?? "");
      if (known && known[0] === name) return known[1];
      const value = { family: fold(id), familyName: fold(name) };
      value.hay = (value.family ? ` ${value.family}` : "") + (value.familyName ? ` ${value.familyName}` : "");
      families.set(id ?? "", [name, value]);
      return value;
    };
    // When the drop rule is one negated class of ASCII characters (the runtime's is), folding works character
    // by character: an id's fold is its provider's, the "/"'s and its model id's, and a model id's is its
    // folder's and its last segment's; providers and folders repeat, so they are folded once each.
    const source = this.rules.dropSource;
    const perCharacter = /^\[\^[^\]\\]*\]\+?$/.test(source) && /^[\x20-\x7e]*$/.test(source);
    const once = remembered(fold); // fold is pure: a text seen before is looked up, not folded again
    const slash = fold("/");
    this.folded = []; // per model: [full, local, name, family folds, last]: what ranking needs
    for (let i = 0; i < this.fields.length; i += 1) {
      const [id, modelId, name, familyId, familyName, providerId] = this.fields[i];
      const text = String(modelId);
      const cut = text.lastIndexOf("/") + 1;
      const lastRaw = text.slice(cut);
      const last = once(lastRaw); // one model id's last segment recurs at many providers: folded once
      const split = perCharacter && providerId != null && id === `${providerId}/${text}`;
      const local = split ? once(text.slice(0, cut)) + last : fold(modelId);
      const full = split ? once(providerId) + slash + local : fold(id);
      const named = name === modelId ? local : name === lastRaw ? last : once(name);
      const family = familyFolds(familyId, familyName);
      // Joined by an array's join: a flat string, which `includes` reads without copying it first.
      this.hay.push([named ? `${full} ${named}` : full, family.hay].join(""));
      this.folded.push([full, local, named, family, last]);
      this.localLength.push(local.length);
      if (i % STEP === STEP - 1) yield;
    }
    this.byLength = orderByLength(this.localLength);
  }

  *wordSteps() {
    const { words } = this.rules;
    const drop = new RegExp(this.rules.dropSource, "g");
    const split = new RegExp(this.rules.splitSource);
    // One split per model over its fields joined by a space, when a space and a "/" separate words (they do in
    // the runtime's rules): the same words as splitting each field (an id is provider/model id), in less time.
    const joined = split.test(" ") && split.test("/");
    for (let i = 0; i < this.fields.length; i += 1) {
      const [id, , name, familyId, familyName] = this.fields[i];
      if (joined) {
        const parts = `${id} ${name} ${familyId ?? ""} ${familyName ?? ""}`.toLowerCase().split(split);
        for (const part of parts) {
          const word = part.replace(drop, "");
          if (word) this.post(word, i);
        }
      } else {
        for (const text of this.fields[i].slice(0, 5)) for (const word of words(text)) this.post(word, i);
      }
      if (i % STEP === STEP - 1) yield;
    }
  }

  /** Model i's folded fields, for ranking ({full, local, last, name, family, familyName, hay}). */
  entry(i) {
    if (!this.entries[i]) {
      const [full, local, name, family, last] = this.folded[i];
      this.entries[i] = { full, local, last, name, family: family.family, familyName: family.familyName, hay: this.hay[i] };
    }
    return this.entries[i];
  }

  post(word, i) {
    const ids = this.postings.get(word);
    if (!ids) this.postings.set(word, [i]);
    else if (ids[ids.length - 1] !== i) ids.push(i);
  }

  /** Model indexes near-matching one query word, by spelling (cached per word), in steps. */
  *fuzzySteps(term) {
    if (this.fuzzyCache.has(term)) return this.fuzzyCache.get(term);
    const hits = new Set();
    if (term.length >= NEAR_LENGTH) {
      const limit = term.length >= 8 ? 2 : 1;
      let seen = 0;
      for (const [word, ids] of this.postings) {
        if (withinDistance(term, word, limit)) ids.forEach((i) => hits.add(i));
        seen += 1;
        if (seen % STEP === 0) yield;
      }
    }
    this.fuzzyCache.set(term, hits);
    return hits;
  }

  fuzzy(term) {
    this.build();
    return drain(this.fuzzySteps(term));
  }

  /** The steps of `matcher`: the index built and every word's near spellings found, in slices. */
  *matcherSteps(query) {
    yield* this.ready();
    const terms = this.rules.words(query);
    if (!terms.length) return null;
    const fuzzy = [];
    for (const term of terms) fuzzy.push(yield* this.fuzzySteps(term));
    return this.matching(query, terms, fuzzy);
  }

  /** The matcher without near spellings (every word must occur as typed): it needs only the folded fields.
   * Models found only by a near spelling rank last (WORST_RANK), so its matches, in relevance order, are the
   * first rows of the full matcher's. */
  *exactMatcherSteps(query) {
    yield* this.hayReady();
    const terms = this.rules.words(query);
    return terms.length ? this.matching(query, terms, terms.map(() => NOTHING)) : null;
  }

  /** Whether a word of the query is long enough to match by a near spelling. */
  mayBeNear(query) {
    return this.rules.words(query).some((term) => term.length >= NEAR_LENGTH);
  }

  /** test(i), rank(i) and order(i, j) (for sorting) for the query; null when it has no words. */
  matcher(query) {
    return drain(this.matcherSteps(query));
  }

  matching(query, terms, fuzzy) {
    const whole = this.rules.fold(query);
    const ranks = new Int8Array(this.hay.length).fill(-1); // computed on first use, per query
    const rank = (i) => {
      if (ranks[i] < 0) ranks[i] = rankOf(this.entry(i), whole, terms);
      return ranks[i];
    };
    return {
      test: (i) => {
        const hay = this.hay[i];
        for (let k = 0; k < terms.length; k += 1) if (!hay.includes(terms[k]) && !fuzzy[k].has(i)) return false;
        return true;
      },
      rank,
      order: (i, j) => rank(i) - rank(j) || this.localLength[i] - this.localLength[j] || i - j,
      byLength: this.byLength, // walking it and grouping by rank gives `order` without a sort
      near: fuzzy, // per query word, the models near it by spelling
    };
  }

  /** For a query that finds nothing: up to `limit` indexes matching the most of its words (typos allowed). */
  nearest(query, limit = 5) {
    this.build();
    const terms = this.rules.words(query);
    if (!terms.length) return [];
    const fuzzy = terms.map((t) => this.fuzzy(t));
    const hits = this.hay.map((hay, i) => terms.filter((t, k) => hay.includes(t) || fuzzy[k].has(i)).length);
    const best = Math.max(0, ...hits);
    if (!best) return [];
    const order = this.matcher(query).order;
    return hits.map((n, i) => [n, i]).filter(([n]) => n === best).map(([, i]) => i).sort(order).slice(0, limit);
  }
}

/** Model indexes by folded local id length, then by index (a counting sort: linear, stable). */
function orderByLength(lengths) {
  const starts = [];
  for (const n of lengths) starts[n] = (starts[n] || 0) + 1;
  let at = 0;
  for (let n = 0; n < starts.length; n += 1) { const count = starts[n] || 0; starts[n] = at; at += count; }
  const order = new Int32Array(lengths.length);
  lengths.forEach((n, i) => { order[starts[n]] = i; starts[n] += 1; });
  return order;
}

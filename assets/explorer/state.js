// Explorer state <-> URL query string, so a view can be shared and the back button restores it.

export const DEFAULTS = Object.freeze({
  find: "", provider: "", kind: "", cap: "", inmod: "", outmod: "", ctx: "", maxin: "", maxout: "", open: "",
  family: "", priced: "", novar: "", noflag: "", sort: "", dir: "asc", page: "1", sel: "", tab: "explore",
  it: "2000", ot: "500", ct: "0", rpd: "1000", target: "selected", cfamily: "", mprov: "",
  img: "0", isz: "", iql: "", ain: "0", aout: "0", chars: "0", q: "0", ws: "0", cvar: "", cflag: "",
});

export function readState(search) {
  const params = new URLSearchParams(search);
  const state = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS)) {
    if (params.has(key)) state[key] = params.get(key);
  }
  return state;
}

export function writeState(state) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state)) {
    if (value !== DEFAULTS[key] && value !== "" && value != null) params.set(key, value);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export function list(value) {
  return value ? value.split(",").filter(Boolean) : [];
}

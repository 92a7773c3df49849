// Usage: node reference.mjs FIXTURE_DIR
// Reads FIXTURE_DIR/{tokenizer.json, tokenizer_config.json, strings.json} and writes
// FIXTURE_DIR/reference.json: for each string, the ids Hugging Face's rules give for a
// context of N tokens: encode, truncate the sequence so the special tokens still fit
// (longest-first truncation keeps the closing </s>), then pad with the pad id.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

const dir = process.argv[2];
const read = (f) => JSON.parse(readFileSync(join(dir, f), "utf8"));
const tokenizer = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
const { context_length: n, pad_id: pad, strings } = read("strings.json");
const special = tokenizer.encode("", { add_special_tokens: true }).ids.length;
const ids = strings.map((s) => {
  const body = tokenizer.encode(s, { add_special_tokens: false }).ids.slice(0, n - special);
  const withSpecial = [...body, ...tokenizer.encode("", { add_special_tokens: true }).ids];
  return [...withSpecial, ...Array(n - withSpecial.length).fill(pad)];
});
writeFileSync(join(dir, "reference.json"), JSON.stringify({ tool: "@huggingface/tokenizers 0.2.0", ids }));

#!/usr/bin/env bash
# The remote engine against a real peer: llama.cpp's llama-server on a GGUF file. Not in the test command (it
# builds llama.cpp). Greedy outputs through `engine: openai` must equal the local engine's on the same GGUF,
# id for id, for the chat and math variants (and code/FIM with a Qwen2.5-Coder GGUF).
#
#   scripts/test-remote-llama.sh --llama-cpp DIR --gguf FILE [--variant chat|math|code] [--port 8089]
#
# DIR is a llama.cpp checkout (built here with cmake into DIR/build unless DIR/build/bin/llama-server exists).
# Run on the bundled nano models converted to GGUF (with their tokenizers) and on Qwen2.5-shaped random GGUFs;
# the closing notes of issue 17 give the results.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

llama="" gguf="" variant="chat" port=8089
while [[ $# -gt 0 ]]; do
    case "$1" in
        --llama-cpp) llama="$2"; shift 2 ;;
        --gguf) gguf="$2"; shift 2 ;;
        --variant) variant="$2"; shift 2 ;;
        --port) port="$2"; shift 2 ;;
        *) echo "usage: $0 --llama-cpp DIR --gguf FILE [--variant chat|math|code] [--port N]" >&2; exit 2 ;;
    esac
done
[[ -n "$llama" && -n "$gguf" ]] || { echo "give --llama-cpp DIR and --gguf FILE" >&2; exit 2; }
gguf="$(cd "$(dirname "$gguf")" && pwd)/$(basename "$gguf")"

server="$llama/build/bin/llama-server"
if [[ ! -x "$server" ]]; then
    cmake -S "$llama" -B "$llama/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF
    cmake --build "$llama/build" --target llama-server -j "$(nproc)"
fi
swift build -c release --product zoo
zoo="$(swift build -c release --show-bin-path)/zoo"

work="$(mktemp -d)"
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$server" -m "$gguf" --host 127.0.0.1 --port "$port" --ctx-size 4096 --parallel 2 >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
    sleep 1
done

case "$variant" in
    chat) format="variant: {name: chat, format: qwen2.5}"; prompt="What is the capital of Japan?" ;;
    math) format="variant: {name: math, style: qwen25-math-cot}"; prompt="Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?" ;;
    code) format="variant: {name: code}"; prompt="def fibonacci(n):" ;;
    *) echo "unknown variant $variant" >&2; exit 2 ;;
esac
printf 'weights: {path: %s}\n%s\nmax_tokens: 64\n' "$gguf" "$format" >"$work/local.yaml"
printf 'extends: local.yaml\nengine: {kind: openai, url: http://127.0.0.1:%s, model: local, timeout: 120}\n' "$port" >"$work/remote.yaml"

# The variant renders the same prompt for both; greedy ids must be identical.
local_ids="$("$zoo" generate --manifest "$work/local.yaml" --prompt "$prompt" --print-ids)"
remote_ids="$("$zoo" generate --manifest "$work/remote.yaml" --prompt "$prompt" --print-ids)"
echo "local:  $local_ids"
echo "remote: $remote_ids"
if [[ "$local_ids" == "$remote_ids" ]]; then echo "identical ($variant)"; exit 0; fi
# llama-server returns text, not ids, on /v1/completions, so the ids are the local tokenizer's reading of its text,
# and an end-of-generation id (which has no text) cannot come back: the same ids but the local run's final stop id
# is equality as far as this server can show it.
if [[ "${local_ids%, *}]" == "$remote_ids" ]]; then
    echo "identical but for the final stop id, which llama-server does not return ($variant)"; exit 0
fi
echo "DIFFERENT ($variant)"; exit 1

// The page only reads (search, cite, bibliography), so it needs no API key.
"use strict";

const $ = (id) => document.getElementById(id);

async function api(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || response.statusText);
  }
  return response;
}

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

function creators(source) {
  return (source.creators || [])
    .map((c) => c.literal || [c.family, c.given].filter(Boolean).join(", "))
    .join("; ");
}

async function cite(key) {
  const body = { items: [{ source: key }], style: $("style").value || "chicago" };
  try {
    const response = await api("/cite", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    $("citation").textContent = (await response.json()).citation;
  } catch (error) {
    $("citation").textContent = error.message;
  }
}

// A CSL date as a year: "1937", "1932–1933", "c. 1938", or its literal text.
function year(date) {
  if (!date) return "";
  const parts = date["date-parts"] || [];
  if (parts.length && parts[0].length) {
    let text = String(parts[0][0]);
    if (parts.length > 1 && parts[1].length && parts[1][0] !== parts[0][0]) {
      text += `–${parts[1][0]}`;
    }
    return date.circa ? `c. ${text}` : text;
  }
  return date.literal || date.raw || "";
}

async function search(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({ limit: "100" });
  if ($("q").value.trim()) params.set("q", $("q").value.trim());
  if ($("group").value) params.set("group", $("group").value);
  const rows = $("sources");
  rows.replaceChildren();
  try {
    const page = await (await api(`/sources?${params}`)).json();
    $("count").textContent = `${page.count} source${page.count === 1 ? "" : "s"}`;
    for (const source of page.data) {
      const tr = document.createElement("tr");
      tr.append(
        cell(source.key),
        cell(year(source.issued)),
        cell(creators(source)),
        cell(source.title || ""),
      );
      const button = document.createElement("button");
      button.textContent = "cite";
      button.addEventListener("click", () => cite(source.key));
      const td = document.createElement("td");
      td.append(button);
      tr.append(td);
      rows.append(tr);
    }
  } catch (error) {
    $("count").textContent = error.message;
    $("count").className = "error";
  }
}

async function bibliography(event) {
  if (event) event.preventDefault();
  const params = new URLSearchParams({
    style: $("style").value || "chicago",
    format: "html",
    grouped: $("grouped").checked ? "true" : "false",
  });
  try {
    // The server's HTML backend escapes every value it renders.
    $("bibliography").innerHTML = await (await api(`/bibliography?${params}`)).text();
  } catch (error) {
    $("bibliography").textContent = error.message;
  }
}

async function styles() {
  const page = await (await api("/styles?limit=100")).json();
  for (const style of page.data) {
    const option = document.createElement("option");
    option.value = style.id;
    option.textContent = style.title || style.id;
    $("style").append(option);
  }
  $("style").value = "chicago-notes-bibliography";
}

$("search").addEventListener("submit", search);
$("bib").addEventListener("submit", bibliography);
styles().then(search).then(bibliography);

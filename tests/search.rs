//! Searching as users type, against the real `gleaner`: every script (CJK
//! words without spaces around them, German compounds as typed, accents
//! both ways), phrases as typed, file names that rank, copies folded into
//! one hit, a relaxed answer when no file has every word, filters in the
//! query, and malformed queries that say why.

mod common;

use common::World;
use serde_json::Value;

fn hits(w: &World, query: &str) -> Value {
    let out = w
        .cmd()
        .args(["search", "--json", "--limit", "20", "--", query])
        .output()
        .unwrap();
    common::assert_success(&out, &["search", query]);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn names(w: &World, query: &str) -> Vec<String> {
    let mut names: Vec<String> = w
        .search(query)
        .iter()
        .map(|p| p.rsplit('/').next().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn every_script_is_found_as_typed() {
    let w = World::new();
    // Chinese and Japanese with no space around the words; Korean with
    // particles attached; German compounds; accents.
    w.write(
        "zh.txt",
        "本手册介绍如何配置网络和安装软件。图形界面的日志保存在系统目录中。",
    );
    w.write(
        "ja.txt",
        "私は東京都に住んでいます。コンピュータが好きです。",
    );
    w.write("ko.txt", "한국어 텍스트를 검색합니다.");
    w.write(
        "de.txt",
        "Die Donaudampfschifffahrtsgesellschaft fährt nach Wien.",
    );
    w.write("fr.txt", "Un café au lait et une crème brûlée, naïve idée.");
    w.write("en.txt", "The borrow checker is running again.");
    w.index();
    for (query, file) in [
        ("网络", "zh.txt"),
        ("软件", "zh.txt"),
        ("图形", "zh.txt"),
        ("日志", "zh.txt"),
        ("图", "zh.txt"),
        ("東京", "ja.txt"),
        ("コンピュータ", "ja.txt"),
        ("한국", "ko.txt"),
        ("Donaudampfschifffahrtsgesellschaft", "de.txt"),
        ("dampf", "de.txt"),
        ("cafe", "fr.txt"),
        ("café", "fr.txt"),
        ("creme brulee", "fr.txt"),
        ("naive", "fr.txt"),
        ("run", "en.txt"),
        ("checkers", "en.txt"),
    ] {
        let found = names(&w, query);
        if query == "dampf" {
            // Compounds are found as typed, not by their parts.
            assert!(found.is_empty(), "{query}: {found:?}");
        } else {
            assert_eq!(found, [file], "{query}");
        }
    }
}

#[test]
fn phrases_match_as_typed_and_names_rank() {
    let w = World::new();
    w.write(
        "pinning.txt",
        "Apt package pinning lets you hold versions.\n",
    );
    w.write("prefs.txt", "Package: *\nPin: release a=stable\n");
    w.write(
        "GPL-3",
        "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n",
    );
    for i in 0..5 {
        w.write(
            &format!("license{i}.txt"),
            format!("This program is under the GPL-3 licence, copy {i}. GPL 3 again.\n"),
        );
    }
    w.index();
    assert_eq!(names(&w, "\"package pinning\""), ["pinning.txt"]);
    // As words (stemmed) both files have them.
    assert_eq!(names(&w, "package pin"), ["pinning.txt", "prefs.txt"]);
    let top = hits(&w, "GPL-3");
    assert_eq!(
        top[0]["name"], "GPL-3",
        "the file named GPL-3 comes first: {top}"
    );
    assert_eq!(top[0]["name_matched"], true);
}

#[test]
fn copies_are_one_hit_listing_the_other_paths() {
    let w = World::new();
    let text = "identical lru_cache notes\n";
    w.write("a/notes.md", text);
    w.write("b/notes.md", text);
    w.write("c/copy.md", text);
    w.write("d/other.md", "a different lru_cache text\n");
    w.index();
    let found = hits(&w, "lru_cache");
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    let copies = found
        .iter()
        .find(|h| h["other_paths"].as_array().unwrap().len() == 2)
        .expect("one hit with the two other copies");
    assert!(copies["path"].as_str().unwrap().ends_with("a/notes.md"));
}

#[test]
fn when_no_file_has_every_word_the_answer_relaxes_and_says_so() {
    let w = World::new();
    w.write("a.txt", "how to configure the network bridge\n");
    w.write("b.txt", "network cables and switches\n");
    w.index();
    let out = w
        .cmd()
        .args([
            "search",
            "how do I configure a bridge for my network",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        found[0]["path"].as_str().unwrap(),
        w.path("a.txt").to_str().unwrap()
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no document has every word"), "{stderr}");
}

#[test]
fn filters_in_the_query_apply_inside_the_ranking() {
    let w = World::new();
    for i in 0..30 {
        w.write(&format!("notes/n{i}.md"), format!("kestrel note {i}\n"));
        w.write(&format!("papers/p{i}.txt"), format!("kestrel paper {i}\n"));
    }
    w.index();
    let md = w.search("kestrel ext:md");
    assert_eq!(md.len(), 30, "every md file, and only those");
    assert!(md.iter().all(|p| p.ends_with(".md")));
    let papers = w.path("papers");
    let inside = w.search(&format!("kestrel in:{}", papers.display()));
    assert_eq!(inside.len(), 30);
    assert!(inside.iter().all(|p| p.contains("/papers/")));
    assert!(w.search("kestrel before:1990-01-01").is_empty());
    assert_eq!(w.search("kestrel after:1990-01-01").len(), 50, "the limit");
    // A limit filled by the filter's files alone, however the others rank.
    let out = w.json(&["search", "kestrel ext:md", "--limit", "5"]);
    let top: Vec<&str> = out
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["path"].as_str().unwrap())
        .collect();
    assert_eq!(top.len(), 5);
    assert!(top.iter().all(|p| p.ends_with(".md")), "{top:?}");
    // The same filter from the command line's option.
    let out = w.json(&["search", "kestrel", "--ext", "txt", "--limit", "100"]);
    assert_eq!(out.as_array().unwrap().len(), 30);
}

#[test]
fn every_match_is_ranked_whatever_the_limit() {
    // More matching files than FTS5's old 4,000-row window: all come back.
    let w = World::new();
    for i in 0..4500 {
        w.write(&format!("d{}/f{i}.txt", i % 30), format!("ocelot {i}\n"));
    }
    w.index();
    let all = w.json(&["search", "ocelot", "--limit", "100000"]);
    assert_eq!(all.as_array().unwrap().len(), 4500);
}

#[test]
fn malformed_queries_say_why_in_one_line() {
    let w = World::new();
    w.write("a.txt", "alpha\n");
    w.index();
    for (query, says) in [
        ("foo AND", "ends with OR or AND"),
        ("\"unclosed", "not closed"),
        ("x after:yesterday", "YYYY-MM-DD"),
    ] {
        let err = w.fails(&["search", "--", query]);
        assert!(err.contains(says), "{query}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

#[test]
fn titles_are_searched_as_labels() {
    let w = World::new();
    w.write(
        "q3.docx",
        common::fixtures::docx_with_title("Quarterly revenue", &["numbers only"]),
    );
    w.write(
        "notes.md",
        "intro line\n\n# Migration plan\n\nsteps follow\n",
    );
    w.write(
        "page.html",
        "<title>Holiday rota</title><p>who is away when</p>",
    );
    w.index();
    for (query, name) in [
        ("quarterly", "q3.docx"),
        ("migration", "notes.md"),
        ("rota", "page.html"),
    ] {
        let found = hits(&w, query);
        assert_eq!(found[0]["name"], name, "{query}: {found}");
        assert_eq!(found[0]["name_matched"], true, "{query}: {found}");
        assert!(found[0]["title"].is_string(), "{query}: {found}");
    }
}

//! An indexer killed between its two commits (labels, then chunks) leaves
//! labels that are newer than the chunks. The next indexer must not trust
//! those labels' stamps: it re-adds the chunks of every unit it replays.

use crate::scan::Unobserved;
use crate::search::SearchFilter;
use crate::source::NewSource;
use crate::{DataDir, Index};

#[test]
fn a_crash_between_the_two_commits_loses_no_text() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = tmp.path().join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    for i in 0..20 {
        std::fs::write(docs.join(format!("n{i}.txt")), format!("wombat{i} burrows")).unwrap();
    }
    let data_dir = DataDir::resolve(Some(&tmp.path().join("data"))).unwrap();
    let mut index = Index::open(data_dir).unwrap();
    let source = index
        .add_source(NewSource {
            path: docs.clone(),
            recursive: true,
            ..NewSource::default()
        })
        .unwrap();
    index.scan(&source, "test", &Unobserved).unwrap();
    index.sync_search().unwrap();

    // New text for half the files, applied but committed to labels alone.
    for i in 0..10 {
        std::fs::write(docs.join(format!("n{i}.txt")), format!("numbat{i} forages")).unwrap();
    }
    index.scan(&source, "test", &Unobserved).unwrap();
    super::indexer::crash_between_commits(index.data_dir().database(), index.search_dir()).unwrap();

    index.sync_search().unwrap();
    let check = crate::search::verify(index.store(), &index.search_dir())
        .unwrap()
        .unwrap();
    assert!(check.caught_up && check.is_consistent(), "{check:?}");
    for i in 0..10 {
        let answer = index
            .search(&format!("numbat{i}"), &SearchFilter::new(), 10)
            .unwrap();
        assert_eq!(answer.hits.len(), 1, "numbat{i}");
        let answer = index
            .search(&format!("wombat{i}"), &SearchFilter::new(), 10)
            .unwrap();
        assert!(answer.hits.is_empty(), "wombat{i} is gone");
    }
}

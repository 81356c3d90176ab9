//! Terminal tables that fit a width: when the columns are too wide
//! together the widest give way first, cut with `…` (prose at its end, at
//! a word where one is near; paths and keys at their start, so the file
//! name stays) or wrapped at spaces. No word is ever broken across lines:
//! a word longer than its column is cut instead.

use comfy_table::{CellAlignment, ContentArrangement, Table};

/// How a column gives way when the table is too wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Only when nothing else is left to cut, then at its end: ids,
    /// levels, numbers.
    Never,
    /// Its end goes (prose).
    End,
    /// Its start goes (paths, S3 keys).
    Start,
    /// Wrapped at spaces onto more lines; a word too long for the column
    /// loses its end.
    Wrap,
}

/// One column: its header, how it gives way, whether it is right-aligned.
#[derive(Debug, Clone, Copy)]
pub struct Column<'a> {
    /// The header.
    pub header: &'a str,
    /// How the column gives way.
    pub cut: Cut,
    /// Right-aligned (numbers).
    pub right: bool,
}

impl<'a> Column<'a> {
    /// A column cut by `cut`, left-aligned.
    pub fn new(header: &'a str, cut: Cut) -> Column<'a> {
        Column {
            header,
            cut,
            right: false,
        }
    }

    /// A right-aligned column that never gives way (counts).
    pub fn number(header: &'a str) -> Column<'a> {
        Column {
            header,
            cut: Cut::Never,
            right: true,
        }
    }
}

/// Characters a table spends on borders and padding: `│ a ┆ b │`.
fn overhead(columns: usize) -> usize {
    3 * columns + 1
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The table of `rows` under `columns`, at most `width` characters wide
/// when a width is given (a table whose fixed columns alone are wider is
/// as narrow as it can be).
pub fn table(columns: &[Column<'_>], rows: Vec<Vec<String>>, width: Option<u16>) -> Table {
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| c.replace(['\n', '\r'], " "))
                .collect()
        })
        .collect();
    let natural: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|s| chars(s))
                .chain([chars(c.header)])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let widths = match width {
        Some(w) => shares(
            columns,
            &natural,
            usize::from(w).saturating_sub(overhead(columns.len())),
        ),
        None => natural,
    };
    let mut table = Table::new();
    table
        .load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .force_no_tty()
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(columns.iter().map(|c| c.header).collect::<Vec<_>>());
    for row in rows {
        table.add_row(
            row.iter()
                .enumerate()
                .map(|(i, cell)| match columns.get(i) {
                    Some(c) => cut(cell, widths[i], c.cut),
                    None => cell.clone(),
                })
                .collect::<Vec<_>>(),
        );
    }
    for (i, c) in columns.iter().enumerate() {
        if c.right
            && let Some(col) = table.column_mut(i)
        {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Each column's width within `budget`: the widest of the columns that
/// may give way are cut down first, to a common cap, never below a floor
/// (a path keeps 16 characters, a file name's worth; wrapped prose 12;
/// others their header, and at least 8). Ids and levels give way only
/// when nothing else is left.
fn shares(columns: &[Column<'_>], natural: &[usize], budget: usize) -> Vec<usize> {
    let mut widths = natural.to_vec();
    let floor = |i: usize| {
        let least = match columns[i].cut {
            Cut::Start => 16,
            Cut::Wrap => 12,
            _ => 8,
        };
        natural[i].min(chars(columns[i].header).max(least))
    };
    let total: usize = widths.iter().sum();
    if total > budget {
        let mine: Vec<usize> = (0..columns.len())
            .filter(|&i| columns[i].cut != Cut::Never)
            .collect();
        let others = total - mine.iter().map(|&i| widths[i]).sum::<usize>();
        let room = budget.saturating_sub(others);
        let at_cap = |cap: usize| -> usize {
            mine.iter()
                .map(|&i| natural[i].min(cap.max(floor(i))))
                .sum()
        };
        // The largest cap that fits (0 when none does: all at their floor).
        let (mut lo, mut hi) = (0, natural.iter().copied().max().unwrap_or(0));
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if at_cap(mid) <= room {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        for &i in &mine {
            widths[i] = natural[i].min(lo.max(floor(i)));
        }
        // What rounding left goes back, first column first.
        let mut spare = room.saturating_sub(at_cap(lo));
        for &i in &mine {
            let add = (natural[i] - widths[i]).min(spare);
            widths[i] += add;
            spare -= add;
        }
    }
    // Still too wide (a very narrow terminal): every column gives way,
    // the widest first, down to one character.
    while widths.iter().sum::<usize>() > budget {
        let Some(widest) = (0..widths.len()).max_by_key(|&i| (widths[i], usize::MAX - i)) else {
            break;
        };
        if widths[widest] <= 1 {
            break;
        }
        widths[widest] -= 1;
    }
    widths
}

/// `text` in at most `width` characters a line, cut as `how` says.
pub fn cut(text: &str, width: usize, how: Cut) -> String {
    let n = chars(text);
    if n <= width || width == 0 {
        return text.to_string();
    }
    let keep = width - 1;
    match how {
        Cut::Wrap => {
            let mut lines: Vec<String> = Vec::new();
            for word in text.split(' ').filter(|w| !w.is_empty()) {
                let word = cut(word, width, Cut::End);
                match lines.last_mut() {
                    Some(line) if chars(line) + 1 + chars(&word) <= width => {
                        line.push(' ');
                        line.push_str(&word);
                    }
                    _ => lines.push(word),
                }
            }
            lines.join("\n")
        }
        Cut::Start => {
            let tail: String = text.chars().skip(n - keep).collect();
            format!("…{tail}")
        }
        _ => {
            let head: String = text.chars().take(keep).collect();
            // At a word when one ends in the last third of what is kept.
            let head = match head.rfind(' ') {
                Some(at) if chars(&head[..at]) * 3 >= keep * 2 => head[..at].trim_end(),
                _ => head.as_str(),
            };
            format!("{head}…")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_keep_words_and_file_names() {
        assert_eq!(cut("short", 10, Cut::End), "short");
        assert_eq!(
            cut(
                "The identity is authenticated but not allowed",
                20,
                Cut::End
            ),
            "The identity is…"
        );
        assert_eq!(cut("authz.access-denied", 10, Cut::End), "authz.acc…");
        assert_eq!(
            cut("logs/2024/05/01/a.json.gz", 11, Cut::Start),
            "…/a.json.gz"
        );
        assert_eq!(
            cut("AccessDenied on s3:ListObjectsV2", 14, Cut::Wrap),
            "AccessDenied\non\ns3:ListObject…"
        );
        assert_eq!(cut("a b c d", 3, Cut::Wrap), "a b\nc d");
        // A column that never gives way is cut only when it must.
        assert_eq!(cut("kept.id", 7, Cut::Never), "kept.id");
        assert_eq!(cut("kept.id", 5, Cut::Never), "kept…");
    }

    #[test]
    fn the_widest_columns_give_way_first() {
        let columns = [
            Column::new("id", Cut::Never),
            Column::new("title", Cut::End),
            Column::new("file", Cut::Start),
        ];
        let natural = [20, 60, 30];
        let widths = shares(&columns, &natural, 70);
        assert_eq!(widths.iter().sum::<usize>(), 70);
        assert_eq!(widths[0], 20);
        // The widest gives way first.
        assert_eq!(widths[1], 25, "{widths:?}");
        assert_eq!(widths[2], 25, "{widths:?}");
        // Room enough: nothing changes.
        assert_eq!(shares(&columns, &natural, 200), natural);
        // Too little even for the fixed column: it gives way too.
        assert_eq!(shares(&columns, &natural, 24).iter().sum::<usize>(), 24);
    }

    #[test]
    fn tables_fit_their_width() {
        let columns = [
            Column::new("rule", Cut::Never),
            Column::new("title", Cut::End),
        ];
        let rows = vec![vec![
            "signature.canonical-mismatch".to_string(),
            "The request AWS received differs from the one the client signed".to_string(),
        ]];
        let text = table(&columns, rows, Some(60)).to_string();
        for line in text.lines() {
            assert!(line.chars().count() <= 60, "{text}");
        }
        assert!(text.contains("signature.canonical-mismatch"), "{text}");
        assert!(text.contains('…'), "{text}");
    }
}

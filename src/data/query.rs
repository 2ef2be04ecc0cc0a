//! Filters and sorting over a table scan. Filters are a small language a person can type:
//! `height > 3`, `colour == "red"`, `is_null(age)`, combined with `and` / `or` / `not` and
//! parentheses. Column names with spaces go in backquotes: `` `fixed acidity` >= 7 ``.

use polars::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare { column: String, op: Op, value: Value },
    IsNull(String),
    IsNotNull(String),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
}

/// Which samples to show by their current label.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum LabelFilter {
    #[default]
    All,
    Labelled,
    Unlabelled,
    Class(String),
}

impl LabelFilter {
    pub fn keeps(&self, label: Option<&str>) -> bool {
        match self {
            LabelFilter::All => true,
            LabelFilter::Labelled => label.is_some(),
            LabelFilter::Unlabelled => label.is_none(),
            LabelFilter::Class(c) => label == Some(c.as_str()),
        }
    }

    /// The next filter in the cycle all → labelled → unlabelled → each class → all.
    pub fn next(&self, classes: &[String]) -> LabelFilter {
        let class_after = |i: usize| classes.get(i).map_or(LabelFilter::All, |c| LabelFilter::Class(c.clone()));
        match self {
            LabelFilter::All => LabelFilter::Labelled,
            LabelFilter::Labelled => LabelFilter::Unlabelled,
            LabelFilter::Unlabelled => class_after(0),
            LabelFilter::Class(c) => class_after(classes.iter().position(|k| k == c).map_or(usize::MAX, |i| i + 1)),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            LabelFilter::All => "all".into(),
            LabelFilter::Labelled => "labelled".into(),
            LabelFilter::Unlabelled => "unlabelled".into(),
            LabelFilter::Class(c) => format!("class {c}"),
        }
    }
}

/// What a view shows: which samples (by label, by a filter over table columns) in which
/// order (sort by a column).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub labels: LabelFilter,
    /// Only samples of this fixed split.
    pub split: Option<crate::data::split::Split>,
    pub filter: Option<Filter>,
    /// Column and whether the order is descending.
    pub sort: Option<(String, bool)>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.labels == LabelFilter::All && self.split.is_none() && self.filter.is_none() && self.sort.is_none()
    }

    /// Applies the column filter and the sort; the label filter needs the label store and
    /// is applied by `project::samples`.
    pub fn apply(&self, lf: LazyFrame) -> LazyFrame {
        let lf = match &self.filter {
            Some(f) => lf.filter(f.to_expr()),
            None => lf,
        };
        match &self.sort {
            Some((column, descending)) => lf.sort(
                [column.as_str()],
                SortMultipleOptions::default()
                    .with_order_descending(*descending)
                    .with_nulls_last(true)
                    .with_maintain_order(true),
            ),
            None => lf,
        }
    }
}

impl Filter {
    pub fn to_expr(&self) -> Expr {
        match self {
            Filter::Compare { column, op, value } => {
                let (left, right) = match value {
                    Value::Number(x) => (col(column.as_str()), lit(*x)),
                    Value::Text(s) => (col(column.as_str()).cast(DataType::String), lit(s.clone())),
                };
                match op {
                    Op::Eq => left.eq(right),
                    Op::Ne => left.neq(right),
                    Op::Gt => left.gt(right),
                    Op::Ge => left.gt_eq(right),
                    Op::Lt => left.lt(right),
                    Op::Le => left.lt_eq(right),
                }
            }
            Filter::IsNull(c) => col(c.as_str()).is_null(),
            Filter::IsNotNull(c) => col(c.as_str()).is_not_null(),
            Filter::And(a, b) => a.to_expr().and(b.to_expr()),
            Filter::Or(a, b) => a.to_expr().or(b.to_expr()),
            Filter::Not(a) => a.to_expr().not(),
        }
    }

    /// The columns the filter reads, to check them against the table.
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Filter::Compare { column, .. } | Filter::IsNull(column) | Filter::IsNotNull(column) => vec![column],
            Filter::And(a, b) | Filter::Or(a, b) => [a.columns(), b.columns()].concat(),
            Filter::Not(a) => a.columns(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Number(f64),
    Text(String),
    Op(Op),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn tokenize(s: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let double = match two.as_str() {
            "==" => Some(Token::Op(Op::Eq)),
            "!=" => Some(Token::Op(Op::Ne)),
            ">=" => Some(Token::Op(Op::Ge)),
            "<=" => Some(Token::Op(Op::Le)),
            "&&" => Some(Token::And),
            "||" => Some(Token::Or),
            _ => None,
        };
        let single = match c {
            '(' => Some(Token::Open),
            ')' => Some(Token::Close),
            '>' => Some(Token::Op(Op::Gt)),
            '<' => Some(Token::Op(Op::Lt)),
            '=' => Some(Token::Op(Op::Eq)),
            '!' => Some(Token::Not),
            _ => None,
        };
        if c.is_whitespace() {
            i += 1;
        } else if let Some(t) = double {
            tokens.push(t);
            i += 2;
        } else if let Some(t) = single {
            tokens.push(t);
            i += 1;
        } else if matches!(c, '"' | '\'' | '`') {
            let end =
                chars[i + 1..].iter().position(|&d| d == c).ok_or(format!("unclosed {c} at position {}", i + 1))?;
            let text: String = chars[i + 1..i + 1 + end].iter().collect();
            tokens.push(if c == '`' { Token::Ident(text) } else { Token::Text(text) });
            i += end + 2;
        } else {
            let end = chars[i..]
                .iter()
                .position(|d| d.is_whitespace() || "()=!<>\"'`&|".contains(*d))
                .map_or(chars.len(), |p| i + p);
            if end == i {
                return Err(format!("unexpected {c} at position {}; use and / or", i + 1));
            }
            let word: String = chars[i..end].iter().collect();
            tokens.push(match word.to_ascii_lowercase().as_str() {
                "and" => Token::And,
                "or" => Token::Or,
                "not" => Token::Not,
                _ => word.parse::<f64>().map_or(Token::Ident(word), Token::Number),
            });
            i = end;
        }
    }
    Ok(tokens)
}

/// Parses a filter; the error says what was expected where.
pub fn parse_filter(s: &str) -> Result<Filter, String> {
    let tokens = tokenize(s)?;
    let mut p = Parser { tokens, at: 0 };
    let f = p.or()?;
    match p.tokens.get(p.at) {
        None => Ok(f),
        Some(t) => Err(format!("unexpected {t:?} after a complete filter")),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        match self.next() {
            Some(Token::Not) => Ok(Filter::Not(Box::new(self.unary()?))),
            Some(Token::Open) => {
                let inner = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(inner),
                    _ => Err("a ( is not closed".into()),
                }
            }
            Some(Token::Ident(name)) if self.peek() == Some(&Token::Open) => {
                let function = name.to_ascii_lowercase();
                self.at += 1;
                let Some(Token::Ident(column)) = self.next() else {
                    return Err(format!("{name}( needs a column name"));
                };
                if self.next() != Some(Token::Close) {
                    return Err(format!("{name}({column} is not closed"));
                }
                match function.as_str() {
                    "is_null" => Ok(Filter::IsNull(column)),
                    "is_not_null" => Ok(Filter::IsNotNull(column)),
                    _ => Err(format!("unknown function {name}; use is_null(col) or is_not_null(col)")),
                }
            }
            Some(Token::Ident(column)) => {
                let Some(Token::Op(op)) = self.next() else {
                    return Err(format!("after {column}, expected == != > >= < <="));
                };
                let value = match self.next() {
                    Some(Token::Number(x)) => Value::Number(x),
                    Some(Token::Text(s)) => Value::Text(s),
                    Some(Token::Ident(s)) => Value::Text(s),
                    _ => return Err(format!("{column} {op:?} needs a value")),
                };
                Ok(Filter::Compare { column, op, value })
            }
            Some(t) => Err(format!("unexpected {t:?}; a filter looks like: height > 3 and colour == \"red\"")),
            None => Err("the filter is incomplete".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> LazyFrame {
        df!(
            "height" => [Some(1.0), Some(5.0), None, Some(9.0)],
            "colour" => ["red", "blue", "red", "green"],
            "fixed acidity" => [7, 8, 6, 9],
        )
        .unwrap()
        .lazy()
    }

    fn heights(q: &Query) -> Vec<Option<f64>> {
        let df = q.apply(frame()).collect().unwrap();
        df.column("height").unwrap().f64().unwrap().iter().collect()
    }

    fn filtered(s: &str) -> Vec<Option<f64>> {
        heights(&Query { filter: Some(parse_filter(s).unwrap()), ..Query::default() })
    }

    #[test]
    fn comparisons_and_logic() {
        assert_eq!(filtered("height > 3"), [Some(5.0), Some(9.0)]);
        assert_eq!(filtered("colour == \"red\""), [Some(1.0), None]);
        assert_eq!(filtered("is_null(height)"), [None]);
        assert_eq!(filtered("colour == red and not is_null(height)"), [Some(1.0)]);
        assert_eq!(filtered("(height < 2 || height >= 9) && colour != 'blue'"), [Some(1.0), Some(9.0)]);
        assert_eq!(filtered("`fixed acidity` <= 7"), [Some(1.0), None]);
    }

    #[test]
    fn sorting_keeps_nulls_last() {
        let q = Query { sort: Some(("height".into(), true)), ..Query::default() };
        assert_eq!(heights(&q), [Some(9.0), Some(5.0), Some(1.0), None]);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(parse_filter("height >").unwrap_err().contains("needs a value"));
        assert!(parse_filter("height 3").unwrap_err().contains("expected =="));
        assert!(parse_filter("(height > 3").unwrap_err().contains("not closed"));
        assert!(parse_filter("colour == \"red").unwrap_err().contains("unclosed"));
        assert!(parse_filter("mean(height) > 3").unwrap_err().contains("unknown function"));
        assert!(parse_filter("a > 1 & b < 2").unwrap_err().contains("unexpected &"));
    }

    #[test]
    fn label_filters_cycle_through_the_classes() {
        let classes = vec!["cat".to_string(), "dog".to_string()];
        let mut f = LabelFilter::All;
        let mut seen = Vec::new();
        for _ in 0..6 {
            f = f.next(&classes);
            seen.push(f.describe());
        }
        assert_eq!(seen, ["labelled", "unlabelled", "class cat", "class dog", "all", "labelled"]);
        assert!(LabelFilter::Class("cat".into()).keeps(Some("cat")));
        assert!(!LabelFilter::Unlabelled.keeps(Some("cat")));
    }

    #[test]
    fn columns_are_listed() {
        let f = parse_filter("a > 1 or not is_null(b)").unwrap();
        assert_eq!(f.columns(), ["a", "b"]);
    }
}

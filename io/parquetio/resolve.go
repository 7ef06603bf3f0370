package parquetio

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
)

// resolveSchema builds the dataset schema from the files' columns and the
// partition directories, and maps every file onto it.
func (d *Dataset) resolveSchema(files []scannedFile) error {
	for _, f := range files {
		seen := map[string]bool{}
		for _, c := range f.cols {
			if seen[c.name] {
				return fmt.Errorf("%w: %s has two columns named %q", ErrSchemaMismatch, f.found.path, c.name)
			}
			seen[c.name] = true
		}
	}
	partTypes, err := d.partitionTypes(files)
	if err != nil {
		return err
	}
	var fields []arrow.Field
	var infos []fieldInfo
	if d.opts.Schema != nil {
		fields, infos, err = d.explicitFields(files, partTypes)
	} else {
		fields, infos, err = d.inferredFields(files, partTypes)
	}
	if err != nil {
		return err
	}
	d.schema = arrow.NewSchema(fields, nil)
	d.fields = infos
	return d.mapFiles(files, partTypes)
}

// inferredFields is the first file's columns, then (UnifyByName) the
// columns later files add, then the partition columns.
func (d *Dataset) inferredFields(files []scannedFile, partTypes []arrow.DataType) ([]arrow.Field, []fieldInfo, error) {
	var fields []arrow.Field
	var infos []fieldInfo
	owner := map[string]int{} // column name -> field index
	where := map[string]string{}
	for fi, f := range files {
		for _, c := range f.cols {
			i, ok := owner[c.name]
			if !ok {
				if fi > 0 && !d.opts.UnifyByName {
					return nil, nil, fmt.Errorf("%w: column %q of %s is not in %s (set UnifyByName to union columns by name)",
						ErrSchemaMismatch, c.name, f.found.path, files[0].found.path)
				}
				owner[c.name] = len(fields)
				where[c.name] = f.found.path
				fields = append(fields, arrow.Field{Name: c.name, Type: c.typ, Nullable: c.optional || fi > 0})
				infos = append(infos, fieldInfo{part: -1, unsupported: c.unsupported})
				continue
			}
			if !arrow.TypeEqual(fields[i].Type, c.typ) {
				return nil, nil, fmt.Errorf("%w: column %q is %s in %s but %s in %s",
					ErrSchemaMismatch, c.name, fields[i].Type, where[c.name], c.typ, f.found.path)
			}
			fields[i].Nullable = fields[i].Nullable || c.optional
		}
		if len(f.cols) < len(fields) {
			has := map[string]bool{}
			for _, c := range f.cols {
				has[c.name] = true
			}
			for i := range fields {
				if has[fields[i].Name] {
					continue
				}
				if !d.opts.UnifyByName {
					return nil, nil, fmt.Errorf("%w: %s has no column %q (present in %s; set UnifyByName to read it as NULL)",
						ErrSchemaMismatch, f.found.path, fields[i].Name, where[fields[i].Name])
				}
				fields[i].Nullable = true
			}
		}
	}
	for k, key := range d.keys {
		if _, dup := owner[key]; dup {
			return nil, nil, fmt.Errorf("%w: %q is both a partition directory and a column of %s",
				ErrSchemaMismatch, key, where[key])
		}
		fields = append(fields, arrow.Field{Name: key, Type: partTypes[k], Nullable: true})
		infos = append(infos, fieldInfo{part: k})
	}
	return fields, infos, nil
}

// explicitFields checks the files against ReadOptions.Schema.
func (d *Dataset) explicitFields(files []scannedFile, partTypes []arrow.DataType) ([]arrow.Field, []fieldInfo, error) {
	s := d.opts.Schema
	fields := append([]arrow.Field(nil), s.Fields()...)
	infos := make([]fieldInfo, len(fields))
	for i, f := range fields {
		infos[i].part = -1
		for k, key := range d.keys {
			if key == f.Name {
				infos[i].part = k
			}
		}
		if infos[i].part >= 0 {
			continue
		}
		for _, sf := range files {
			c := findColumn(sf.cols, f.Name)
			switch {
			case c == nil && !d.opts.UnifyByName:
				return nil, nil, fmt.Errorf("%w: %s has no column %q of the given schema (set UnifyByName to read it as NULL)",
					ErrSchemaMismatch, sf.found.path, f.Name)
			case c == nil:
			case !arrow.TypeEqual(c.typ, f.Type):
				return nil, nil, fmt.Errorf("%w: column %q is %s in %s but %s in the given schema",
					ErrSchemaMismatch, f.Name, c.typ, sf.found.path, f.Type)
			case c.unsupported != nil:
				infos[i].unsupported = c.unsupported
			}
		}
	}
	return fields, infos, nil
}

func findColumn(cols []columnDesc, name string) *columnDesc {
	for i := range cols {
		if cols[i].name == name {
			return &cols[i]
		}
	}
	return nil
}

// partitionTypes chooses the type of each partition column: the explicit
// schema's, then PartitionTypes', then int64 if every value parses, else
// string.
func (d *Dataset) partitionTypes(files []scannedFile) ([]arrow.DataType, error) {
	types := make([]arrow.DataType, len(d.keys))
	for k, key := range d.keys {
		if d.opts.Schema != nil {
			if i := d.opts.Schema.FieldIndices(key); len(i) > 0 {
				types[k] = d.opts.Schema.Field(i[0]).Type
				continue
			}
		}
		if t, ok := d.opts.PartitionTypes[key]; ok {
			types[k] = t
			continue
		}
		vals := make([]*string, len(files))
		for i, f := range files {
			vals[i] = f.found.values[k]
		}
		types[k] = inferPartitionType(vals)
	}
	return types, nil
}

// mapFiles builds the per-file metadata aligned with the schema.
func (d *Dataset) mapFiles(files []scannedFile, partTypes []arrow.DataType) error {
	for _, sf := range files {
		fm := &fileMeta{path: sf.found.path, size: sf.size, rows: sf.rows, cols: make([]int, len(d.fields))}
		for k := range d.keys {
			v, err := parsePartitionValue(sf.found.values[k], partTypes[k])
			if err != nil {
				return fmt.Errorf("parquet: %s: partition %q: %w", sf.found.path, d.keys[k], err)
			}
			fm.parts = append(fm.parts, v)
		}
		for i, fi := range d.fields {
			fm.cols[i] = -1
			if fi.part >= 0 {
				continue
			}
			for j := range sf.cols {
				if sf.cols[j].name == d.schema.Field(i).Name {
					fm.cols[i] = j
				}
			}
		}
		for _, srg := range sf.rgs {
			rg := rgMeta{rows: srg.rows, bytes: srg.bytes, chunks: make([]chunkMeta, len(d.fields))}
			for i, j := range fm.cols {
				if j >= 0 {
					rg.chunks[i] = srg.chunks[j]
				}
			}
			fm.rgs = append(fm.rgs, rg)
		}
		d.files = append(d.files, fm)
	}
	return nil
}

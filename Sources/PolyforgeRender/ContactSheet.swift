/// Tiles images into one sheet with a caption under each cell: several views of one asset, or one view of
/// many assets.
public enum ContactSheet {
    public struct Cell: Sendable {
        public var image: RenderedImage
        public var label: String

        public init(image: RenderedImage, label: String) {
            self.image = image
            self.label = label
        }
    }

    /// Lays `cells` out row by row, `columns` wide (default: as square as possible), each cell as large as
    /// the largest image, with its label centred underneath (shortened with ".." when it does not fit).
    /// The sheet takes `background`; on a transparent sheet, captions sit on an opaque white strip so they
    /// stay readable.
    public static func compose(_ cells: [Cell], columns: Int? = nil, background: Background = .color(red: 255, green: 255, blue: 255),
                               gap: Int = 8) -> RenderedImage {
        guard !cells.isEmpty else { return RenderedImage(width: 1, height: 1, fill: [0, 0, 0, 0]) }
        let cellWidth = cells.map { $0.image.width }.max()!, cellHeight = cells.map { $0.image.height }.max()!
        let columnCount = max(1, min(cells.count, columns ?? Int(Double(cells.count).squareRoot().rounded(.up))))
        let rowCount = (cells.count + columnCount - 1) / columnCount
        let scale = max(1, cellWidth / 256)
        let captionHeight = BitmapFont.glyphHeight * scale + 6 * scale
        let width = columnCount * cellWidth + (columnCount + 1) * gap
        let height = rowCount * (cellHeight + captionHeight) + (rowCount + 1) * gap
        let fill: [UInt8] = background.rgba.map { UInt8(($0 * 255).rounded()) }
        var sheet = RenderedImage(width: width, height: height, fill: fill)
        let strip: [UInt8] = fill[3] == 255 ? fill : [255, 255, 255, 255]
        let luminance = 0.2126 * Double(strip[0]) + 0.7152 * Double(strip[1]) + 0.0722 * Double(strip[2])
        let ink: [UInt8] = luminance > 128 ? [20, 20, 24, 255] : [235, 235, 240, 255]
        let maxCharacters = max(2, (cellWidth + scale) / (BitmapFont.advance * scale))
        for (i, cell) in cells.enumerated() {
            let x = gap + (i % columnCount) * (cellWidth + gap)
            let y = gap + (i / columnCount) * (cellHeight + captionHeight + gap)
            sheet.draw(cell.image, atX: x + (cellWidth - cell.image.width) / 2, y: y + (cellHeight - cell.image.height) / 2)
            if fill[3] != 255 {
                sheet.draw(RenderedImage(width: cellWidth, height: captionHeight, fill: strip), atX: x, y: y + cellHeight)
            }
            var label = cell.label
            if label.count > maxCharacters { label = ".." + String(label.suffix(maxCharacters - 2)) }
            let textWidth = BitmapFont.width(of: label, scale: scale)
            sheet.drawText(label, x: x + (cellWidth - textWidth) / 2, y: y + cellHeight + 3 * scale, scale: scale, color: ink)
        }
        return sheet
    }
}
